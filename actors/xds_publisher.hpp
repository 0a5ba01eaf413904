#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include <caf/event_based_actor.hpp>
#include <caf/stateful_actor.hpp>

#include "telemetry/log.hpp"
#include "xds/ads_server.hpp"
#include "xds/delta_session.hpp"
#include "xds/resource_table.hpp"
#include "xds/type_urls.hpp"

namespace ambient::actors {

/// One delta ADS stream as the publisher keeps it: its port, a session per type URL, and whether
/// a response is being written (then nothing else is sent until it is: coalesced latest state).
struct xds_stream {
  std::shared_ptr<xds::stream_port> port;
  std::string peer;
  std::map<std::string, xds::delta_session, std::less<>> sessions;
  bool in_flight = false;
};

/// State of the xDS publisher: the resource tables (the merged view, serialized once) and the
/// streams.
struct xds_publisher_state {
  static inline const char* name = "xds_publisher";

  xds::resource_table addresses{std::string{xds::address_type_url}};
  xds::resource_table authorizations{std::string{xds::authorization_type_url}};
  std::map<uint64_t, xds_stream> streams;
  std::shared_ptr<spdlog::logger> log;
};

using xds_publisher_ptr = caf::stateful_actor<xds_publisher_state>*;

/// Serves the merged view over delta ADS: applies each mesh_delta_ptr from the readiness
/// aggregator to its Address table, and answers stream events from the gRPC service (opened,
/// request, written, closed) through the streams' delta sessions. Each stream has at most one
/// response in flight; a slow stream gets the latest state when it can take it and never holds
/// the others up. istio.security.Authorization is served empty. The `int` argument is unused (a
/// function actor needs one argument in CAF 0.17 to keep UBSan quiet).
caf::behavior xds_publisher_impl(xds_publisher_ptr self, int unused);

/// The stream-event sink for xds::ads_service that forwards every event to `publisher`.
xds::stream_event_sink forward_to(caf::actor publisher);

} // namespace ambient::actors
