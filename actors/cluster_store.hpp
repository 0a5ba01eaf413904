#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>

#include <caf/event_based_actor.hpp>
#include <caf/stateful_actor.hpp>

#include "actors/instrumented.hpp"

#include "actors/remote_cluster.hpp"
#include "fleet/cluster_metrics.hpp"
#include "fleet/cluster_registry.hpp"
#include "fleet/staleness.hpp"
#include "kube/transport.hpp"
#include "telemetry/log.hpp"

namespace ambient::actors {

/// What cluster_store needs.
struct cluster_store_config {
  std::string config_cluster_id;
  kube::kubeconfig_policy policy;
  std::shared_ptr<kube::transport> transport;
  caf::actor sink; ///< where remote clusters send their batches (the readiness aggregator)
  /// Told which remote clusters can review service-account tokens (optional).
  caf::actor token_reviewer;
  /// The config cluster's own credentials (service account or kubeconfig flag), if it is to be
  /// watched like the remote clusters.
  std::optional<kube::rest_config> config_cluster;
  std::chrono::milliseconds sync_timeout{std::chrono::seconds{30}};
  /// --stale-cluster-limit: a remote cluster whose served data is not current for this long is
  /// suspended (its workloads leave the merged view until it syncs again); empty: no limit.
  std::optional<std::chrono::milliseconds> stale_limit;
  kube::reflector_config reflector;
  kube::backoff::params restart_backoff;
  /// Where the cluster metrics go (must outlive the actor).
  telemetry::registry* metrics = &telemetry::default_registry();
  /// Optional: called on cluster_store's thread with every remote_cluster it spawns (tests use
  /// it to make one crash).
  std::function<void(const std::string& cluster_id, uint64_t generation, const caf::actor&)>
      cluster_spawned;
};

/// cluster_store's state: the registry core and the live cluster actors.
struct cluster_store_state {
  static inline const char* name = "cluster_store";

  /// Stops every cluster actor when cluster_store itself stops (they are monitored, not linked,
  /// so that a dying cluster never takes the store down).
  ~cluster_store_state();

  cluster_store_config cfg;
  std::unique_ptr<fleet::cluster_registry> registry;
  std::unique_ptr<fleet::cluster_metrics> metrics;
  /// Live remote_cluster actors by (cluster ID, generation).
  std::map<std::pair<std::string, uint64_t>, caf::actor> running;
  std::map<caf::actor_addr, std::pair<std::string, uint64_t>> by_address;
  /// When each cluster's (state, generation) last changed, for status's `since`.
  struct stamp {
    fleet::lifecycle state;
    uint64_t generation;
    std::chrono::system_clock::time_point since;
  };
  std::map<std::string, stamp> stamps;
  /// How old each cluster's served data is, and which clusters are suspended.
  std::unique_ptr<fleet::staleness> staleness;
  /// The staleness tick queued (it updates the ages' gauges and suspends what is due), and its
  /// number: an earlier tick supersedes a queued later one, which is ignored when it arrives.
  std::optional<std::chrono::steady_clock::time_point> stale_tick_at;
  uint64_t stale_tick = 0;
  /// A memory trim is scheduled (several clusters syncing together need one).
  bool trim_pending = false;
  std::shared_ptr<spdlog::logger> log;
  std::mt19937_64 rng{std::random_device{}()};
};

using cluster_store_ptr = instrumented_actor<cluster_store_state>*;

/// The supervisor of every remote cluster: applies remote-secret updates through the registry
/// (store before run, restart on hash change, first secret wins), spawns and stops remote_cluster
/// actors, restarts crashed ones with backoff, and answers status queries (`atom::status` →
/// cluster_store_status, with every running cluster's informer rows and data age). With a stale
/// limit it suspends clusters stale past it (cluster_suspended to the sink) and re-sends the sink
/// a suspended cluster's `synced` when it is current again. Nothing escalates past it.
caf::behavior cluster_store_impl(cluster_store_ptr self, cluster_store_config cfg);

} // namespace ambient::actors
