#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include <caf/event_based_actor.hpp>
#include <caf/stateful_actor.hpp>

#include "actors/instrumented.hpp"

#include "telemetry/log.hpp"
#include "telemetry/metrics.hpp"
#include "xds/ads_server.hpp"
#include "xds/delta_session.hpp"
#include "xds/publisher_tables.hpp"
#include "xds/sotw_session.hpp"

namespace ambient::actors {

/// One ADS stream as the publisher keeps it: its port, a session per type URL (delta or
/// state-of-the-world, after the stream's protocol), and whether a response is being written (then
/// nothing else is sent until it is: coalesced latest state).
struct xds_stream {
  std::shared_ptr<xds::stream_port> port;
  std::string peer;
  xds::stream_protocol protocol = xds::stream_protocol::delta;
  std::map<std::string, xds::delta_session, std::less<>> delta_sessions;
  std::map<std::string, xds::sotw_session, std::less<>> sotw_sessions;
  bool in_flight = false;
  /// When the oldest change this stream has not been sent yet reached the aggregator.
  std::optional<std::chrono::steady_clock::time_point> pending_since;
};

/// The publisher's metrics for one type (label `type`: wds, wads, lds, rds, cds, eds).
struct xds_type_metrics {
  telemetry::gauge* streams = nullptr;   ///< streams subscribed to the type
  telemetry::counter* pushes = nullptr;  ///< responses sent
  telemetry::counter* rejects = nullptr; ///< NACKs received
  telemetry::counter* bytes = nullptr;   ///< bytes of responses handed to gRPC
};

/// The publisher's metrics (docs/metrics.md lists them).
struct xds_metrics {
  explicit xds_metrics(telemetry::registry& r);
  xds_type_metrics& of(std::string_view type_url);

  telemetry::registry& registry;
  telemetry::gauge& connected;       ///< pilot_xds: open streams
  telemetry::histogram& latency;     ///< pilot_proxy_convergence_time: change → bytes to gRPC
  telemetry::counter& refused;       ///< streams refused (mTLS peer not allowed)
  telemetry::counter& unknown_types; ///< requests for a type not served
  std::map<std::string, xds_type_metrics, std::less<>> types;
};

/// How the publisher is set up.
struct xds_publisher_config {
  /// Where its metrics go (must outlive the actor).
  telemetry::registry* metrics = &telemetry::default_registry();
  /// Prefix of every resource and response version (see resource_table::set_version_prefix);
  /// ambientd makes a random one per process.
  std::string version_prefix;
  /// The least time between two pushes of table changes to the streams. A change after a quiet
  /// spell goes out at once; changes within the interval of the last push are held until it
  /// ends and go out together, so under heavy churn every stream gets one response per interval
  /// instead of one per change (istiod debounces every push by 100 ms; this only throttles).
  /// Responses to requests are not held. 0: push every change at once.
  std::chrono::milliseconds push_interval{5};
};

/// State of the xDS publisher: every served table (the merged view, serialized once) and the
/// streams.
struct xds_publisher_state {
  static inline const char* name = "xds_publisher";

  std::unique_ptr<xds::publisher_tables> tables;
  std::map<uint64_t, xds_stream> streams;
  std::unique_ptr<xds_metrics> metrics;
  std::shared_ptr<spdlog::logger> log;
  std::chrono::milliseconds push_interval{0};
  /// When table changes were last pushed to every stream.
  std::chrono::steady_clock::time_point last_push{};
  /// Changes are held for a push at last_push + push_interval.
  bool push_scheduled = false;
};

using xds_publisher_ptr = instrumented_actor<xds_publisher_state>*;

/// Serves the merged view over ADS: applies each mesh_delta_ptr from the readiness aggregator to
/// its tables (Address, empty Authorization, and the proxyless LDS/RDS/CDS/EDS derived from
/// Address), and answers stream events from the gRPC service (opened, delta or SotW request,
/// written, closed, refused) through the streams' sessions. Each stream has at most one response
/// in flight; a slow stream gets the latest state when it can take it and never holds the others
/// up. Table changes are pushed at most once per push_interval (see xds_publisher_config).
caf::behavior xds_publisher_impl(xds_publisher_ptr self, xds_publisher_config cfg);

/// The stream-event sink for xds::ads_service that forwards every event to `publisher`.
xds::stream_event_sink forward_to(caf::actor publisher);

} // namespace ambient::actors
