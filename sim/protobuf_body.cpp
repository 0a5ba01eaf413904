#include "sim/protobuf_body.hpp"

#include <array>
#include <cstdint>
#include <functional>

#include "base/base64.hpp"

namespace ambient::sim {

namespace {

/// Reads protobuf wire format: calls `on_field(number, wire_type, varint, bytes)` per field.
class wire_reader {
public:
  explicit wire_reader(std::string_view data) : data_(data) {
    // nop
  }

  using field_fn = std::function<bool(uint32_t, uint32_t, uint64_t, std::string_view)>;

  /// Returns false on malformed input or when `on_field` returns false.
  bool each(const field_fn& on_field) {
    while (pos_ < data_.size()) {
      uint64_t key = 0;
      if (!varint(key))
        return false;
      auto number = static_cast<uint32_t>(key >> 3);
      auto type = static_cast<uint32_t>(key & 7);
      uint64_t v = 0;
      std::string_view bytes;
      switch (type) {
        case 0:
          if (!varint(v))
            return false;
          break;
        case 1: // fixed64
        case 5: // fixed32
          if (!skip(type == 1 ? 8 : 4))
            return false;
          break;
        case 2:
          if (!varint(v) || v > data_.size() - pos_)
            return false;
          bytes = data_.substr(pos_, v);
          pos_ += v;
          break;
        default:
          return false;
      }
      if (!on_field(number, type, v, bytes))
        return false;
    }
    return true;
  }

private:
  /// Steps over a fixed-size field of `n` bytes; false when fewer are left.
  bool skip(size_t n) {
    if (data_.size() - pos_ < n)
      return false;
    pos_ += n;
    return true;
  }

  bool varint(uint64_t& out) {
    out = 0;
    for (int shift = 0; shift < 64 && pos_ < data_.size(); shift += 7) {
      auto b = static_cast<uint8_t>(data_[pos_++]);
      out |= static_cast<uint64_t>(b & 0x7f) << shift;
      if ((b & 0x80) == 0)
        return true;
    }
    return false;
  }

  std::string_view data_;
  size_t pos_ = 0;
};

/// Reads the length-delimited fields 1 and 2 of a message: a map entry's key and value,
/// TypeMeta's apiVersion and kind.
bool string_fields_1_2(std::string_view message, std::string& first, std::string& second) {
  return wire_reader{message}.each([&](uint32_t n, uint32_t t, uint64_t, std::string_view b) {
    if (t == 2 && n == 1)
      first = std::string{b};
    else if (t == 2 && n == 2)
      second = std::string{b};
    return true;
  });
}

bool add_map_entry(json& obj, const char* field, std::string_view entry, bool base64) {
  std::string k, v;
  if (!string_fields_1_2(entry, k, v))
    return false;
  obj[field][std::string{k}] = base64 ? base::encode_base64(v) : std::string{v};
  return true;
}

bool decode_object_meta(std::string_view data, json& meta) {
  meta = json::object();
  return wire_reader{data}.each([&](uint32_t n, uint32_t t, uint64_t, std::string_view b) {
    if (t != 2 || b.empty())
      return true; // gogo-protobuf writes empty strings; the API server treats them as unset
    switch (n) {
      case 1:
        meta["name"] = std::string{b};
        return true;
      case 2:
        meta["generateName"] = std::string{b};
        return true;
      case 3:
        meta["namespace"] = std::string{b};
        return true;
      case 11:
        return add_map_entry(meta, "labels", b, false);
      case 12:
        return add_map_entry(meta, "annotations", b, false);
      default:
        return true; // fields the simulator sets itself
    }
  });
}

/// The spec of an authentication.k8s.io/v1 TokenRequest (audiences 1, boundObjectRef 3 with
/// kind 1, apiVersion 2, name 3, uid 4; expirationSeconds 4) or TokenReview (token 1,
/// audiences 2), as kubectl create token and client-go's typed clients send them.
bool decode_token_spec(const std::string& kind, std::string_view data, json& spec) {
  spec = json::object();
  const bool review = kind == "TokenReview";
  return wire_reader{data}.each([&](uint32_t n, uint32_t t, uint64_t v, std::string_view b) {
    if (review && n == 1 && t == 2) {
      spec["token"] = std::string{b};
    } else if (n == (review ? 2u : 1u) && t == 2) {
      spec["audiences"].push_back(std::string{b});
    } else if (!review && n == 4 && t == 0) {
      spec["expirationSeconds"] = static_cast<int64_t>(v);
    } else if (!review && n == 3 && t == 2) {
      static const std::array<const char*, 4> names{"kind", "apiVersion", "name", "uid"};
      json ref = json::object();
      bool ok = wire_reader{b}.each([&](uint32_t m, uint32_t u, uint64_t, std::string_view x) {
        if (u == 2 && m >= 1 && m <= names.size() && !x.empty())
          ref[names[m - 1]] = std::string{x};
        return true;
      });
      if (!ok)
        return false;
      spec["boundObjectRef"] = std::move(ref);
    }
    return true;
  });
}

} // namespace

bool is_kubernetes_protobuf(std::string_view content_type) {
  return content_type.starts_with("application/vnd.kubernetes.protobuf");
}

std::optional<json> decode_kubernetes_protobuf(std::string_view body, std::string* error) {
  auto fail = [&](std::string msg) -> std::optional<json> {
    if (error != nullptr)
      *error = std::move(msg);
    return std::nullopt;
  };
  constexpr std::string_view magic{"k8s\0", 4};
  if (!body.starts_with(magic))
    return fail("protobuf body lacks the k8s envelope prefix");
  std::string api_version, kind;
  std::string_view raw;
  bool ok
      = wire_reader{body.substr(4)}.each([&](uint32_t n, uint32_t t, uint64_t, std::string_view b) {
          if (t == 2 && n == 1)
            return string_fields_1_2(b, api_version, kind);
          if (t == 2 && n == 2)
            raw = b;
          return true;
        });
  if (!ok)
    return fail("malformed protobuf envelope");
  bool token_kind = api_version == "authentication.k8s.io/v1"
                    && (kind == "TokenRequest" || kind == "TokenReview");
  if (!token_kind
      && (api_version != "v1" || (kind != "Secret" && kind != "ConfigMap" && kind != "Namespace")))
    return fail("protobuf bodies are supported for v1 Secret, ConfigMap and Namespace and "
                "authentication.k8s.io/v1 TokenRequest and TokenReview only, not "
                + api_version + " " + kind + "; send application/json");
  auto obj = json::object();
  obj["apiVersion"] = api_version;
  obj["kind"] = kind;
  ok = wire_reader{raw}.each([&](uint32_t n, uint32_t t, uint64_t v, std::string_view b) {
    if (n == 1 && t == 2) {
      json meta;
      if (!decode_object_meta(b, meta))
        return false;
      obj["metadata"] = std::move(meta);
      return true;
    }
    if (token_kind && n == 2 && t == 2) {
      json spec;
      if (!decode_token_spec(kind, b, spec))
        return false;
      obj["spec"] = std::move(spec);
      return true;
    }
    if (kind == "Secret") {
      if (n == 2 && t == 2)
        return add_map_entry(obj, "data", b, true);
      if (n == 3 && t == 2)
        obj["type"] = std::string{b};
      if (n == 4 && t == 2)
        return add_map_entry(obj, "stringData", b, false);
      if (n == 5 && t == 0)
        obj["immutable"] = v != 0;
    } else if (kind == "ConfigMap") {
      if (n == 2 && t == 2)
        return add_map_entry(obj, "data", b, false);
      if (n == 3 && t == 2)
        return add_map_entry(obj, "binaryData", b, true);
      if (n == 4 && t == 0)
        obj["immutable"] = v != 0;
    }
    return true;
  });
  if (!ok)
    return fail("malformed protobuf " + kind);
  if (!obj.contains("metadata"))
    obj["metadata"] = json::object();
  if (kind == "Secret") {
    const auto* type = find_path(obj, {"type"});
    if (type == nullptr || (type->is_string() && type->get_ref<const std::string&>().empty()))
      obj["type"] = "Opaque";
  }
  // Like the API server, a Secret's stringData is folded into data.
  if (auto* sd = find_path(obj, {"stringData"}); sd && sd->is_object()) {
    for (const auto& [k, val] : sd->items())
      obj["data"][k] = base::encode_base64(val.get_ref<const std::string&>());
    obj.erase("stringData");
  }
  return obj;
}

} // namespace ambient::sim
