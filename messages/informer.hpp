#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <caf/allowed_unsafe_message_type.hpp>

#include "kube/resource_kind.hpp"
#include "kube/transport.hpp"

namespace ambient::messages {

/// One change an informer hands to its parent, in order.
struct object_change {
  enum type_t : uint8_t { added, updated, deleted } type;
  std::string key;
  std::string resource_version;
  /// The decoded object; empty for deletes (tombstones carry no state).
  std::optional<kube::any_object> object;
};

/// Changes of one resource in one cluster, in the order they happened. Travels as a
/// shared_ptr<const informer_batch> (never copied between actors).
struct informer_batch {
  kube::resource_kind kind;
  std::vector<object_change> changes;
  /// The collection's version the informer had reached when it sent these ("" before its first
  /// list completed, and once its resource type is not served): what an informer restarted in its
  /// place resumes listing from.
  std::string resource_version;
};

using informer_batch_ptr = std::shared_ptr<const informer_batch>;

/// Counters of one informer, reported with its health.
struct informer_stats {
  uint64_t events_added = 0, events_modified = 0, events_deleted = 0, bookmarks = 0;
  uint64_t relists = 0;
  uint64_t watch_restarts = 0;
  uint64_t errors = 0;
  uint64_t decode_errors = 0;
  size_t objects = 0;
  /// Steady-clock time of the last completed list (0 before the first).
  int64_t last_sync_ns = 0;
};

/// An informer's health, sent to its parent when it changes (and with the first sync).
struct informer_health {
  kube::resource_kind kind;
  bool synced = false;
  bool healthy = false;
  std::string last_error; ///< empty when healthy
  informer_stats stats;
};

// -- internal: from the transport thread to the informer ------------------------------------

/// A LIST request ended.
struct list_result {
  uint64_t request;
  kube::response_end end;
};

/// Bytes of a WATCH stream.
struct watch_data {
  uint64_t request;
  std::string bytes;
};

/// A WATCH stream ended.
struct watch_end {
  uint64_t request;
  kube::response_end end;
};

} // namespace ambient::messages

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ambient::messages::informer_batch_ptr)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ambient::messages::informer_health)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ambient::messages::list_result)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ambient::messages::watch_data)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ambient::messages::watch_end)
