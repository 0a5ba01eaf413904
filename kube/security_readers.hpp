#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "kube/json_reader.hpp"
#include "kube/object_readers.hpp"
#include "kube/security_objects.hpp"

/// What the decoders of security.istio.io objects (kube/security_decoders.hpp) share: their
/// metadata, their selectors, and the frame of a whole object. Internal to kube/.
namespace ambient::kube::json {

/// `spec.selector`: absent or null leaves nullopt; an object, even `{}`, gives its matchLabels.
bool read_selector(ctx& cx, od::value& v, const path& p, std::optional<string_map>& out);

/// Where a security object keeps its metadata; `annotations` only where given.
struct security_meta {
  std::string& namespace_;
  std::string& name;
  int64_t& creation_seconds; ///< metadata.creationTimestamp (RFC 3339) in seconds
  string_map& labels;
  string_map* annotations = nullptr;
};

/// Reads `metadata` into `m`.
bool read_security_meta(ctx& cx, od::value& v, const path& p, security_meta m);

/// Reads a whole object named `kind_name`: "kind" (checked when present), metadata, and the spec
/// with `read_spec_field(key, value, path)` for each field of `spec`; requires metadata.name.
template <class F>
bool read_security_object(ctx& cx, od::object& obj, const path& p, std::string_view kind_name,
                          security_meta meta, F read_spec_field) {
  bool ok = fields_of(cx, obj, p, [&](std::string_view k, od::value& v, const path& fp) {
    if (k == "metadata")
      return read_security_meta(cx, v, fp, meta);
    if (k == "spec")
      return each_field(cx, v, fp, read_spec_field);
    if (k != "kind")
      return true;
    return check_kind(cx, v, fp, kind_name);
  });
  if (ok && meta.name.empty())
    return cx.fail(decode_errc::missing_field, p / "metadata" / "name", "missing");
  return ok;
}

/// Runs `read(cx, top, root, out)` over `json_text` within `limits` and turns a failure into a
/// decode_error naming `what` and the object.
template <class T, class F>
decoded<T> decode_security_object(std::string_view what, std::string_view json_text,
                                  const decode_limits& limits, F read) {
  if (json_text.size() > limits.max_object_bytes)
    return too_large(what, json_text.size(), limits);
  T out;
  ctx cx;
  with_document(cx, json_text,
                [&](od::object& top, const path& root) { return read(cx, top, root, out); });
  if (!cx.failed)
    return out;
  std::string ns = out.namespace_, name = out.name;
  if (name.empty()) // the failure came before metadata, or inside it
    peek_identity(json_text, ns, name);
  return make_error(what, ns, name, *cx.failed);
}

} // namespace ambient::kube::json
