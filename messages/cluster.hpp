#pragma once

#include <cstdint>
#include <string>

#include <caf/allowed_unsafe_message_type.hpp>

#include "kube/cluster_registry.hpp"
#include "messages/informer.hpp"

namespace ambient::messages {

/// A remote_cluster's lifecycle changed (to cluster_store).
struct cluster_state_report {
  std::string cluster_id;
  uint64_t generation = 0;
  kube::lifecycle state = kube::lifecycle::syncing;
  std::string last_error;
};

/// Changes of one resource in one cluster incarnation (to the readiness aggregator).
struct cluster_batch {
  std::string cluster_id;
  uint64_t generation = 0;
  informer_batch_ptr batch;
};

} // namespace ambient::messages

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ambient::messages::cluster_state_report)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ambient::messages::cluster_batch)
