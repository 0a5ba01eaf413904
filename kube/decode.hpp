#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "kube/objects.hpp"

/// Decoders from the API server's JSON into the compact structs of kube/objects.hpp. Input is
/// untrusted: every failure is a decode_error that names the object and the field; nothing throws.
/// Only the fields the mesh needs are read; the rest of the object is skipped without being fully
/// validated (simdjson On-Demand), though unbalanced or truncated JSON is always rejected. One
/// table (kube/kind_table.cpp) holds each kind's name, path and reader; lists and watch events
/// decode their objects in the same pass (kube/api_envelope.hpp).
namespace ambient::kube {

/// Why a decode failed.
enum class decode_errc : uint8_t {
  malformed_json = 1, ///< not JSON, truncated, trailing content, or not an object
  wrong_kind,         ///< "kind" names another kind
  missing_field,      ///< a required field is absent (e.g. metadata.name)
  bad_field,          ///< a field has the wrong type or an invalid value
  too_large,          ///< the input exceeds decode_limits::max_object_bytes
};

/// A failed decode. `message` names the object when known and the field path, e.g.
/// "Pod default/web-0: status.podIPs[1].ip: expected string". It never quotes secret values.
struct decode_error {
  decode_errc code;
  std::string message;
};

/// The result of a decoder.
template <class T>
using decoded = std::variant<T, decode_error>;

/// Bounds on untrusted input.
struct decode_limits {
  size_t max_object_bytes = 1u << 20; ///< Larger input is rejected as too_large, unparsed.
};

/// Decodes one object of kind `k` (the "object" of a watch event or an item of a list, alone).
/// Checks "kind" if present (another kind gives wrong_kind); requires metadata.name.
decoded<any_object> decode_object(resource_kind k, std::string_view json,
                                  const decode_limits& limits = {});

/// decode_object for a known type, e.g. decode_as<pod>(json).
template <class T>
decoded<T> decode_as(std::string_view json, const decode_limits& limits = {}) {
  auto d = decode_object(kind_of<T>, json, limits);
  if (auto* e = std::get_if<decode_error>(&d))
    return std::move(*e);
  return std::get<T>(std::get<any_object>(std::move(d)));
}

/// The kind-agnostic metadata of one object, or nothing when the JSON is malformed, over the
/// default limit, or has no metadata.name.
std::optional<object_meta> decode_object_meta(std::string_view json);

} // namespace ambient::kube
