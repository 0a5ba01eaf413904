#pragma once

#include <random>
#include <string>

#include "bench/harness/processes.hpp"

/// The waypoint objects of the chaos soak, so its ground truth and independent oracle cover
/// Workload.waypoint and application_tunnel: GatewayClass istio-waypoint in the config cluster, a
/// waypoint Gateway `app-1/waypoint` in every cluster (an HBONE listener, a Hostname status
/// address, waypoint-for all) and namespace app-1 labelled to use it.
namespace ambient::bench {

/// Creates them in cluster `index` (0 is the config cluster), labelling namespace app-1 only when
/// `label_namespace`; throws std::runtime_error when the API server refuses one.
void add_waypoint_objects(sim_process& sim, const std::string& cluster, int index,
                          bool label_namespace = true);

/// Labels (or, with `on` false, unlabels) namespace app-1 of `cluster` istio.io/use-waypoint.
void label_waypoint_namespace(sim_process& sim, const std::string& cluster, bool on);

/// One random waypoint change in cluster `index`: the namespace's use-waypoint label, the
/// Gateway's status address (none, Hostname, IP, malformed), its waypoint-for label, its routes
/// and inbound binding, a pod's use-waypoint or gateway-name label, or (config cluster) the
/// class's labels. Returns what it did, for the action counts. Throws std::runtime_error when the
/// API server refuses it (a 404 of an uninstalled Gateway API is tolerated).
std::string churn_waypoints(sim_process& sim, const std::string& cluster, int index,
                            std::mt19937& rng);

} // namespace ambient::bench
