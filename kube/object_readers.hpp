#pragma once

#include <string>
#include <string_view>

#include "kube/json_reader.hpp"
#include "kube/objects.hpp"

/// The body reader of each kind: what a decoder reads besides "kind" and "metadata". Internal to
/// kube/: the kind table (kube/kind_table.cpp) names one per kind.
namespace ambient::kube::json {

/// Reads the top-level field `k` (not "kind", not "metadata") of a Pod; other kinds likewise.
bool read_body(ctx& cx, std::string_view k, od::value& v, const path& p, pod& out);
bool read_body(ctx& cx, std::string_view k, od::value& v, const path& p, service& out);
bool read_body(ctx& cx, std::string_view k, od::value& v, const path& p, namespace_& out);
bool read_body(ctx& cx, std::string_view k, od::value& v, const path& p, node& out);
bool read_body(ctx& cx, std::string_view k, od::value& v, const path& p, endpoint_slice& out);
bool read_body(ctx& cx, std::string_view k, od::value& v, const path& p, secret& out);
bool read_body(ctx& cx, std::string_view k, od::value& v, const path& p, config_map& out);
bool read_body(ctx& cx, std::string_view k, od::value& v, const path& p, lease& out);
bool read_body(ctx& cx, std::string_view k, od::value& v, const path& p, gateway& out);
bool read_body(ctx& cx, std::string_view k, od::value& v, const path& p, authorization_policy& out);
bool read_body(ctx& cx, std::string_view k, od::value& v, const path& p, peer_authentication& out);
bool read_body(ctx& cx, std::string_view k, od::value& v, const path& p, gateway_class& out);

/// Completes a Pod after its fields are read (defaults the API server would fill in).
void finish(pod& out);
void finish(service& out);
void finish(endpoint_slice& out);

/// Kinds with nothing to complete.
template <class T>
void finish(T&) {
  // nop
}

/// Where a kind keeps the metadata fields beyond object_meta (Pods and Istio's policies do).
template <class T>
meta_extras extras_of(T&) {
  return {};
}
inline meta_extras extras_of(pod& x) {
  return {&x.owners, &x.generate_name, nullptr};
}
inline meta_extras extras_of(authorization_policy& x) {
  return {nullptr, nullptr, &x.creation_seconds};
}
inline meta_extras extras_of(peer_authentication& x) {
  return {nullptr, nullptr, &x.creation_seconds};
}

/// Checks an object's "kind" value `v` against `kind_name` (wrong_kind when it names another).
inline bool check_kind(ctx& cx, od::value& v, const path& p, std::string_view kind_name) {
  std::string actual;
  if (!read(cx, v, p, actual))
    return false;
  if (actual != kind_name)
    return cx.fail(decode_errc::wrong_kind, p,
                   "expected " + std::string{kind_name} + ", got " + actual.substr(0, 64));
  return true;
}

/// Reads one whole object of type T named `kind_name` ("Pod"): checks "kind" when present, reads
/// metadata and the body, requires metadata.name, then finishes it.
template <class T>
bool read_object(ctx& cx, od::object& obj, const path& p, std::string_view kind_name, T& out) {
  bool ok = fields_of(cx, obj, p, [&](std::string_view k, od::value& v, const path& fp) {
    if (k == "metadata")
      return read_meta(cx, v, fp, out.meta, extras_of(out));
    if (k != "kind")
      return read_body(cx, k, v, fp, out);
    return check_kind(cx, v, fp, kind_name);
  });
  if (!ok)
    return false;
  if (out.meta.name.empty())
    return cx.fail(decode_errc::missing_field, p / "metadata" / "name", "missing");
  finish(out);
  return true;
}

/// Reads one object of kind `k` into `out` (the kind table's reader for `k`).
bool read_any(ctx& cx, resource_kind k, od::object& obj, const path& p, any_object& out);

} // namespace ambient::kube::json
