#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <caf/allowed_unsafe_message_type.hpp>

#include "kube/informer_core.hpp"
#include "kube/objects.hpp"

namespace ambient::messages {

/// One change an informer hands to its parent, in order.
using object_change = kube::change;

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
using informer_stats = kube::informer_stats;

/// An informer's health, sent to its parent when it changes (and with the first sync).
struct informer_health {
  kube::resource_kind kind;
  bool synced = false;
  bool healthy = false;
  std::string last_error; ///< empty when healthy
  informer_stats stats;
};

} // namespace ambient::messages

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ambient::messages::informer_batch_ptr)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ambient::messages::informer_health)
