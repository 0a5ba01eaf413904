#pragma once

#include <array>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <caf/event_based_actor.hpp>
#include <caf/stateful_actor.hpp>

#include "actors/instrumented.hpp"

#include "mesh/mesh_index.hpp"
#include "telemetry/log.hpp"
#include "telemetry/metrics.hpp"

namespace ambient::actors {

/// What the readiness aggregator needs.
struct readiness_aggregator_config {
  std::shared_ptr<const mesh::mesh_config> mesh;
  caf::actor publisher; ///< receives mesh_delta_ptr (the xDS publisher); may be empty
  /// Where ambientd_index_skipped_total goes.
  telemetry::registry* metrics = &telemetry::default_registry();
};

/// State of the readiness aggregator: the merged view (a pure mesh_index) and whether a flush is
/// already queued.
struct readiness_aggregator_state {
  static inline const char* name = "readiness_aggregator";

  readiness_aggregator_config cfg;
  std::unique_ptr<mesh::mesh_index> index;
  bool flush_queued = false;
  /// When the first change not yet published arrived (the delta's `received`).
  std::optional<std::chrono::steady_clock::time_point> first_change;
  uint64_t batches_since_flush = 0;
  std::vector<std::string> admitted; ///< as last logged
  /// ambientd_index_skipped_total, by reason, and the index's counts they already carry.
  std::array<telemetry::counter*, mesh::skip_reason_count> skipped{};
  mesh::skip_counts skipped_reported{};
  std::shared_ptr<spdlog::logger> log;
};

using readiness_aggregator_ptr = instrumented_actor<readiness_aggregator_state>*;

/// Merges the contributions of ready clusters (design.md §2 rules 4 and 5): applies every
/// cluster_batch, cluster_state_report, cluster_withdrawn and cluster_suspended to its
/// mesh_index, and publishes the minimal delta as soon as its mailbox has drained — a `flush` it
/// sends itself after the first change queues behind everything already received, so a burst
/// becomes one delta without any fixed debounce timer. Answers `atom::status` with an
/// aggregator_status, `atom::resources` with the merged view (a mesh_snapshot) and
/// `atom::waypoints` with the waypoint report.
caf::behavior readiness_aggregator_impl(readiness_aggregator_ptr self,
                                        readiness_aggregator_config cfg);

} // namespace ambient::actors
