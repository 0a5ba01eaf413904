#pragma once

#include <chrono>
#include <iosfwd>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>

#include "cmd/ambientd/options.hpp"
#include "cmd/ambientd/signals.hpp"
#include "messages/cluster.hpp"
#include "sim/demo_fleet.hpp"
#include "telemetry/log.hpp"

namespace ambient::cmd {

/// `ambientd --demo`: the embedded simulated fleet, its script, and the live status table the
/// operator watches. Runs on the main thread; it only reads cluster_store's status (the same rows
/// /debug/clusterz and `ambientctl remote-clusters` show).
class demo_run {
public:
  /// Starts the fleet in a fresh directory under the system's temp dir (removed at the end).
  /// Throws std::runtime_error when the fleet cannot start.
  demo_run();
  ~demo_run();
  demo_run(const demo_run&) = delete;
  demo_run& operator=(const demo_run&) = delete;

  /// Points the options at the fleet: cluster ID, kubeconfig and mesh config.
  void configure(ambientd_options& opts) const;

  /// How a ztunnel reaches the demo's TLS port (`tls_port`, its root in `root_file`), for the
  /// start-up banner.
  std::vector<std::string> ztunnel_hints(int tls_port, const std::string& root_file,
                                         const ambientd_options& opts) const;

  /// Lines describing the fleet and its script, for the start-up banner.
  std::vector<std::string> describe() const;

  /// Runs the script steps due at `elapsed` and, when `status` changed since the last call,
  /// prints the status table to `out`. `status` null: cluster_store did not answer.
  void tick(std::chrono::milliseconds elapsed, const messages::cluster_store_status* status,
            std::ostream& out);

  /// The verdict after a timed run: empty when the script ran to its end and every demo cluster
  /// reached `synced` and is `synced` now (not stale: the outage cluster has resynced);
  /// otherwise what is missing.
  std::string verdict() const;

  /// Runs the demo on main's thread: ticks every 500 ms with cluster_store's status, until a
  /// signal (its exit code, exit_code_for) or --demo-duration (0 when the verdict is empty, else
  /// 1, logged).
  int run(const ambientd_options& opts, signal_waiter& signals, caf::actor_system& system,
          const caf::actor& store, death_record& death);

private:
  std::string dir_;
  std::unique_ptr<sim::demo_fleet> fleet_;
  std::string last_table_;
  std::set<std::string> ever_synced_;
  std::map<std::string, std::string> now_; ///< cluster → its lifecycle state now
};

/// --demo: starts the fleet, points `opts` at it and logs what it will do; null (logged) when
/// the fleet cannot start.
std::unique_ptr<demo_run> start_demo(ambientd_options& opts, spdlog::logger& log);

} // namespace ambient::cmd
