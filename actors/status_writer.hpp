#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include <caf/event_based_actor.hpp>
#include <caf/stateful_actor.hpp>

#include "actors/instrumented.hpp"
#include "actors/request_slot.hpp"
#include "fleet/status_writer_core.hpp"
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

/// State of the status writer: its pure core (fleet::status_writer_core) and the request in
/// flight.
struct status_writer_state {
  static inline const char* name = "status_writer";

  status_writer_config cfg;
  std::optional<fleet::status_writer_core> core;
  std::optional<request_slot> api;
  uint64_t term = 0; ///< bumped on every leadership change: stale timers and answers are ignored
  std::shared_ptr<spdlog::logger> log;
};

using status_writer_ptr = instrumented_actor<status_writer_state>*;

/// Leader only: keeps a ConfigMap in the config cluster's system namespace holding every
/// cluster's status as /debug/clusterz shows it (`clusters.json`, plus a `summary` table), with
/// the writer's identity in `ambientd.io/writer`, so `kubectl get configmap
/// ambientd-cluster-status -o yaml` shows the mesh's cluster health. The shell of
/// fleet::status_writer_core: it asks cluster_store for the status every interval, sends the
/// request the core returns and hands it the response; on losing leadership it abandons the
/// write in flight.
caf::behavior status_writer_impl(status_writer_ptr self, status_writer_config cfg);

} // namespace ambient::actors
