#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "kube/objects.hpp"

/// Decoders from the API server's JSON into the compact structs of kube/objects.hpp. Input is
/// untrusted: every failure is a decode_error that names the object and the field; nothing throws.
/// Only the fields the mesh needs are read; the rest of the object is skipped without being fully
/// validated (simdjson On-Demand), though unbalanced or truncated JSON is always rejected.
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

/// One decoder per kind. `json` is one object (the "object" of a watch event or an item of a
/// list). Checks "kind" if present (another kind gives wrong_kind); requires metadata.name.
decoded<pod> decode_pod(std::string_view json, const decode_limits& limits = {});
decoded<service> decode_service(std::string_view json, const decode_limits& limits = {});
decoded<namespace_> decode_namespace(std::string_view json, const decode_limits& limits = {});
decoded<node> decode_node(std::string_view json, const decode_limits& limits = {});
decoded<endpoint_slice> decode_endpoint_slice(std::string_view json,
                                              const decode_limits& limits = {});
decoded<secret> decode_secret(std::string_view json, const decode_limits& limits = {});
decoded<config_map> decode_config_map(std::string_view json, const decode_limits& limits = {});
decoded<lease> decode_lease(std::string_view json, const decode_limits& limits = {});
decoded<gateway> decode_gateway(std::string_view json, const decode_limits& limits = {});

/// The kind-agnostic metadata of one object (a list item), or nothing when the JSON is malformed,
/// over the default limit, or has no metadata.name.
std::optional<object_meta> decode_object_meta(std::string_view json);

/// The type of a watch event.
enum class watch_event_type { added, modified, deleted, bookmark, error };

/// A watch event: its type, the object's raw JSON (for the reflector, which then calls the kind
/// decoder) and the object's kind-agnostic metadata. An ERROR event carries a Status whose code,
/// reason and message are copied out (410 means the resource version expired: relist).
struct raw_watch_event {
  watch_event_type type;
  std::string object_json;
  object_meta meta;
  int32_t status_code = 0;
  std::string status_reason, status_message;
  bool status_version_too_large = false; ///< see status_info::resource_version_too_large
};

/// Decodes one watch event line. ADDED, MODIFIED and DELETED require object.metadata.name;
/// BOOKMARK requires object.metadata.resourceVersion.
decoded<raw_watch_event> decode_watch_event(std::string_view line,
                                            const decode_limits& limits = {});

/// A list response: its metadata.resourceVersion and metadata.continue, and each item's raw JSON.
struct raw_list {
  std::string resource_version, continue_token;
  std::vector<std::string> items;
};

/// Decodes a list response body; `limits` bounds the whole body.
decoded<raw_list> decode_list(std::string_view body, const decode_limits& limits = {});

/// A Status object (the body of an API error).
struct status_info {
  int32_t code = 0;
  std::string reason, message;
  /// The server has not reached the resource version asked for: a cause of reason
  /// ResourceVersionTooLarge, or (servers before 1.18.6) a cause or message saying "Too large
  /// resource version". client-go then relists from "", as after 410.
  bool resource_version_too_large = false;
};

/// The Status in an error body, or nothing when the body is not a Status (a proxy's plain text).
std::optional<status_info> decode_status(std::string_view body);

} // namespace ambient::kube
