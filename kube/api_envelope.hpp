#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kube/decode.hpp"

/// The API's envelopes around objects: watch events, lists and Status. Each decodes its objects
/// in the same pass, with the kind table's reader; an object that does not decode is reported
/// next to its key, and the rest of the envelope still counts.
namespace ambient::kube {

/// A Status object (the body of an API error, or of a watch ERROR event).
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

/// One object of a list or watch event: its key and version, and the object if it decoded.
struct enveloped_object {
  std::string key; ///< "namespace/name" ("" only for BOOKMARK and ERROR events)
  std::string resource_version;
  std::optional<any_object> object;  ///< ADDED and MODIFIED events and list items that decoded
  std::optional<decode_error> error; ///< why the object did not decode
};

/// The type of a watch event.
enum class watch_event_type { added, modified, deleted, bookmark, error };

/// A watch event. For BOOKMARK only the version is set; ERROR carries a Status (410 means the
/// resource version expired: relist).
struct watch_event {
  watch_event_type type = watch_event_type::added;
  enveloped_object item;
  status_info status;
};

/// Decodes one watch event line of kind `k`. The envelope must be sound: JSON, a known type, an
/// object; ADDED, MODIFIED and DELETED need object.metadata.name, BOOKMARK its resourceVersion.
/// An object that is sound JSON but not a valid `k` (a field of the wrong type) gives an event
/// whose item carries the error. DELETED objects are not decoded (only their key is needed).
decoded<watch_event> decode_watch_event(resource_kind k, std::string_view line,
                                        const decode_limits& limits = {});

/// A list response of kind `k`: its metadata.resourceVersion and metadata.continue, and its items.
/// An item that does not decode is kept with its error, or, when even its name is unknown,
/// counted in `unnamed`.
struct object_list {
  std::string resource_version, continue_token;
  std::vector<enveloped_object> items;
  size_t unnamed = 0;
};

/// Decodes a list response body of kind `k`. `limits` bounds each item; the body as a whole is
/// bounded by `max_body_bytes`.
decoded<object_list> decode_list(resource_kind k, std::string_view body,
                                 const decode_limits& limits = {},
                                 size_t max_body_bytes = size_t{1} << 31);

} // namespace ambient::kube
