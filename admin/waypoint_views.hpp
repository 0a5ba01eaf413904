#pragma once

#include <string>

#include "mesh/waypoint_report.hpp"

namespace ambient::admin {

/// /debug/waypoints: {"waypoints":[{cluster, namespace, name, class, trafficType, address
/// (write_gateway_address; absent when it has none), inboundBinding {protocol, port},
/// allowedRoutes {from, selector}, serviceAccounts, services, workloads, instances}],
/// "bindings" (every Service naming a waypoint, every pod naming one that is not bound):
/// [{cluster, kind, object, waypoint, status ("Bound" or istiod's reason:
/// WaypointIsNotReady, AttachmentDenied, UnsupportedTrafficType), address (false when bound to
/// a waypoint without one), ingressUseWaypoint (bound Services whose labels say)}]}.
std::string waypoints_json(const mesh::waypoint_report& report);

} // namespace ambient::admin
