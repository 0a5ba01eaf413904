#pragma once

#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include <caf/event_based_actor.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_response_promise.hpp>

#include "actors/instrumented.hpp"
#include "actors/request_slot.hpp"
#include "fleet/leader_election.hpp"
#include "kube/transport.hpp"
#include "telemetry/log.hpp"
#include "telemetry/metrics.hpp"

namespace ambient::actors {

/// What the leader elector needs.
struct leader_elector_config {
  std::shared_ptr<kube::transport> transport;
  /// A client of the config cluster whose request timeout is below the renew deadline, so a
  /// renewal that hangs has ended before the deadline is checked.
  kube::transport::client_id client = 0;
  std::string namespace_ = "istio-system";
  std::string lease_name = "ambientd-leader";
  std::string identity;
  fleet::election_timing timing;
  /// Told every leadership change (messages::leadership), in order.
  std::vector<caf::actor> followers;
  telemetry::registry* metrics = &telemetry::default_registry();
};

/// The elector's metrics.
struct leader_metrics {
  telemetry::gauge* leading = nullptr;       ///< ambientd_leader_election_leading
  telemetry::counter* transitions = nullptr; ///< ambientd_leader_election_transitions_total
  telemetry::counter* renew_failures = nullptr;
};

/// State of the leader elector: the pure election core and the request in flight.
struct leader_elector_state {
  static inline const char* name = "leader_elector";

  leader_elector_config cfg;
  std::unique_ptr<fleet::leader_election> core;
  std::optional<request_slot> api; ///< the Lease read or write in flight
  fleet::lease_op pending = fleet::lease_op::none;
  uint64_t timer_generation = 0;
  std::mt19937_64 rng{std::random_device{}()};
  leader_metrics metrics;
  std::shared_ptr<spdlog::logger> log;
  /// The answer owed to a release request, once its write ends.
  caf::typed_response_promise<caf::unit_t> released;
  bool releasing = false;
  bool release_reread = false; ///< a conflicting release was read again once
};

using leader_elector_ptr = instrumented_actor<leader_elector_state>*;

/// Runs client-go's leader election on a coordination.k8s.io/v1 Lease in the config cluster
/// (fleet::leader_election decides, this shell sends the requests and keeps the timers), tells
/// its followers when this replica starts and stops leading, and keeps the leadership metrics.
/// `atom::release` (shutdown) gives the lease up and answers when the write has ended.
caf::behavior leader_elector_impl(leader_elector_ptr self, leader_elector_config cfg);

} // namespace ambient::actors
