#pragma once

#include <chrono>
#include <memory>
#include <string>

#include <caf/event_based_actor.hpp>
#include <caf/stateful_actor.hpp>

#include "actors/instrumented.hpp"
#include "kube/transport.hpp"
#include "telemetry/log.hpp"

namespace ambient::actors {

/// What the status writer needs.
struct status_writer_config {
  std::shared_ptr<kube::transport> transport;
  kube::transport::client_id client = 0; ///< the config cluster
  std::string namespace_ = "istio-system";
  std::string config_map = "ambientd-cluster-status";
  caf::actor cluster_store; ///< asked for its status
  /// How often the leader reads the cluster status (it writes only when it changed).
  std::chrono::milliseconds interval{2000};
};

/// State of the status writer.
struct status_writer_state {
  static inline const char* name = "status_writer";

  ~status_writer_state();

  status_writer_config cfg;
  bool leading = false;
  std::string identity;
  uint64_t term = 0;   ///< bumped on every leadership change: stale timers and answers are ignored
  std::string written; ///< the cluster JSON last written
  std::string resource_version; ///< of the ConfigMap, "" when unknown
  std::string pending_json;     ///< what the write in flight carries
  bool creating = false;
  uint64_t request = 0;
  uint64_t ticket = 0;
  std::shared_ptr<spdlog::logger> log;
};

using status_writer_ptr = instrumented_actor<status_writer_state>*;

/// Leader only: keeps a ConfigMap in the config cluster's system namespace holding every
/// cluster's status as /debug/clusterz shows it (`clusters.json`, plus a `summary` table), with
/// the writer's identity in `ambientd.io/writer`, so `kubectl get configmap
/// ambientd-cluster-status -o yaml` shows the mesh's cluster health. Writes only what changed, as
/// a full update at the resourceVersion it read (409 → read again); stops writing the moment
/// leadership is lost, abandoning a write in flight.
caf::behavior status_writer_impl(status_writer_ptr self, status_writer_config cfg);

} // namespace ambient::actors
