#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>

#include "admin/http_server.hpp"
#include "cmd/ambientd/options.hpp"
#include "cmd/ambientd/process_tree.hpp"
#include "cmd/ambientd/startup_config.hpp"

namespace ambient::cmd {

/// What the admin endpoints read: the actors to ask and what readiness depends on.
struct admin_context {
  caf::actor_system* system = nullptr;
  caf::actor cluster_store;
  caf::actor aggregator;
  caf::actor publisher;
  std::string config_cluster_id;
  bool has_config_cluster = false;
  /// --require-remote-clusters: /readyz also waits for every remote cluster.
  bool require_remote = false;
  /// The xDS server is serving (it starts before the admin servers and stops after them).
  bool xds_serving = false;
  /// How long an endpoint waits for an actor's answer.
  std::chrono::milliseconds timeout{2000};
};

/// The context of ambientd's admin servers: `tree`'s actors and `s`'s config cluster.
admin_context make_admin_context(caf::actor_system& system, const process_tree& tree,
                                 const tree_settings& s, bool xds_serving);

/// The monitoring port's routes (15014): /metrics (Prometheus 0.0.4), /healthz (the process
/// answers), /readyz (admin::evaluate_readiness; 503 with the reason when not ready).
void add_monitoring_routes(admin::http_server& server, const admin_context& ctx);

/// The debug port's routes (8080): /debug/clusterz, /debug/actors, /debug/workloads,
/// /debug/policies, /debug/xds,
/// the dashboard (/ and /debug/dashboard) and /metrics (which the dashboard reads). An actor that
/// does not answer in time gives 503, never a hung request.
void add_debug_routes(admin::http_server& server, const admin_context& ctx);

/// The admin servers ambientd runs.
using admin_servers = std::vector<std::unique_ptr<admin::http_server>>;

/// Starts the monitoring (--monitoring-address) and debug (--debug-address) servers the options
/// ask for, each logged with its port. A string is a start-up error: an address that cannot be
/// bound.
std::variant<admin_servers, std::string> start_admin_servers(const ambientd_options& opts,
                                                             const admin_context& ctx);

} // namespace ambient::cmd
