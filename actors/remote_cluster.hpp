#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <random>
#include <string>

#include <caf/event_based_actor.hpp>
#include <caf/stateful_actor.hpp>

#include "actors/informer.hpp"
#include "actors/instrumented.hpp"

#include "fleet/cluster_sync.hpp"
#include "kube/backoff.hpp"
#include "kube/reflector.hpp"
#include "kube/transport.hpp"
#include "messages/cluster.hpp"

namespace ambient::actors {

/// What one remote_cluster incarnation needs.
struct remote_cluster_config {
  std::string cluster_id;
  uint64_t generation = 0;
  /// The resources to watch (fleet::config_cluster_resources for the config cluster).
  std::vector<kube::resource_kind> kinds = fleet::remote_cluster_resources();
  kube::connection_settings settings;
  kube::client_limits limits;
  std::shared_ptr<kube::transport> transport;
  caf::actor parent; ///< receives cluster_state_report
  caf::actor sink;   ///< receives cluster_batch and cluster_state_report, in order
  /// istiod's PILOT_REMOTE_CLUSTER_TIMEOUT: after this the cluster is `timeout` (still trying).
  std::chrono::milliseconds sync_timeout{std::chrono::seconds{30}};
  kube::reflector_config reflector;
  kube::backoff::params informer_restart;
  informer_spawn_observer informer_spawned; ///< optional
};

/// State of a remote_cluster: its informers, the lifecycle core and the transport client.
struct remote_cluster_state {
  static inline const char* name = "remote_cluster";

  ~remote_cluster_state();

  remote_cluster_config cfg;
  kube::transport::client_id client = 0;
  fleet::cluster_sync sync{{}}; ///< over cfg.kinds
  std::map<caf::actor_addr, kube::resource_kind> informers;
  std::map<kube::resource_kind, kube::backoff> restart_backoff;
  /// What status shows per informer: its last health report and its object count.
  std::map<kube::resource_kind, messages::informer_status_row> rows;
  /// The keys forwarded to the sink per resource: what a restarted informer starts from.
  std::map<kube::resource_kind, informer_keys> keys;
  std::mt19937_64 rng{std::random_device{}()};
};

using remote_cluster_ptr = instrumented_actor<remote_cluster_state>*;

/// One cluster incarnation: owns (links) an informer per resource, forwards their batches to the
/// sink tagged with cluster and generation, reports lifecycle changes to its parent, and restarts
/// an informer that crashes with backoff, seeded with the keys of what it had sent (so deletions
/// made while it was down still reach the sink). Stopping it stops its informers and closes its
/// transport client. Answers `atom::status` with a remote_cluster_status (one row per informer).
caf::behavior remote_cluster_impl(remote_cluster_ptr self, remote_cluster_config cfg);

} // namespace ambient::actors
