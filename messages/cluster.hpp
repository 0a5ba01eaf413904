#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <caf/allowed_unsafe_message_type.hpp>

#include "fleet/cluster_registry.hpp"
#include "messages/informer.hpp"

namespace ambient::messages {

/// A remote_cluster's lifecycle changed (to cluster_store).
struct cluster_state_report {
  std::string cluster_id;
  uint64_t generation = 0;
  fleet::lifecycle state = fleet::lifecycle::syncing;
  std::string last_error;
};

/// Changes of one resource in one cluster incarnation (to the readiness aggregator).
struct cluster_batch {
  std::string cluster_id;
  uint64_t generation = 0;
  informer_batch_ptr batch;
};

/// A cluster left the mesh (cluster_store → readiness aggregator): drop its contribution up to
/// `generation`. Sent when its secret or key is deleted or another secret takes its ID over.
struct cluster_withdrawn {
  std::string cluster_id;
  uint64_t generation = 0;
};

/// A cluster's data was stale longer than --stale-cluster-limit (cluster_store → readiness
/// aggregator): its contribution leaves the merged view, its objects are kept, and its newest
/// incarnation's next `synced` (or a cluster_state_report cluster_store re-sends when the cluster
/// is current again) admits it.
struct cluster_suspended {
  std::string cluster_id;
  uint64_t generation = 0; ///< the registry's newest incarnation when suspended (for the log)
};

} // namespace ambient::messages

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ambient::messages::cluster_state_report)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ambient::messages::cluster_withdrawn)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ambient::messages::cluster_suspended)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ambient::messages::cluster_batch)

namespace ambient::messages {

/// A remote secret was added or changed (secret_watcher → cluster_store); `entries` is its data.
struct remote_secret_update {
  std::string secret; ///< "namespace/name"
  std::vector<fleet::remote_kubeconfig> entries;
};

/// A remote secret was deleted.
struct remote_secret_deleted {
  std::string secret;
};

/// One informer of a remote cluster, as its status shows it.
struct informer_status_row {
  std::string resource; ///< "pods", "services", ...
  bool synced = false;  ///< has finished its first list
  bool healthy = false; ///< its last request succeeded
  std::string last_error;
  int64_t objects = 0; ///< objects it currently holds
  uint64_t relists = 0;
  uint64_t watch_restarts = 0;
  uint64_t errors = 0;
};

/// A remote_cluster's answer to `atom::status`.
struct remote_cluster_status {
  std::vector<informer_status_row> informers;
};

/// One row of cluster_store's status (istioctl's `remote-clusters` and /debug/clusterz).
struct cluster_status_row {
  std::string cluster_id;
  std::string secret;
  std::string sync_status; ///< synced | syncing | timeout | closed (istioctl's words)
  fleet::lifecycle state = fleet::lifecycle::pending;
  std::string last_error;
  uint32_t restarts = 0;
  uint64_t generation = 0;
  std::chrono::system_clock::time_point since; ///< when `state` (or the generation) last changed
  /// How long the cluster's served data has not been current (fleet::staleness); empty when
  /// current or when nothing of it was ever served.
  std::optional<std::chrono::milliseconds> stale_for;
  bool suspended = false; ///< withheld from the view: stale longer than --stale-cluster-limit
  std::vector<informer_status_row> informers; ///< empty when no actor runs (failed, restarting)
};

/// The whole status answer.
struct cluster_store_status {
  std::vector<cluster_status_row> clusters;
  std::vector<fleet::cluster_conflict> conflicts;
};

} // namespace ambient::messages

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ambient::messages::remote_secret_update)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ambient::messages::remote_secret_deleted)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ambient::messages::cluster_store_status)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ambient::messages::remote_cluster_status)
