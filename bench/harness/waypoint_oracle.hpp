#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "bench/harness/processes.hpp"
#include "sim/json.hpp"

namespace ambient::bench {

/// The part of the independent oracle that gives a pod's Workload.waypoint and
/// application_tunnel, computed straight from the Gateway, GatewayClass and Namespace JSON of the
/// clusters with istiod 1.28.3's rules (docs/waypoints.md), sharing no code with mesh/ or kube/:
/// - a Gateway with a status address is a waypoint of its own cluster; a remote cluster without
///   a network has none; classes are the config cluster's;
/// - the address: the first Hostname (`<gw ns>/<hostname>`), else the first IPAddress that reads
///   as dotted IPv4 (`<ip>@<cluster network>`); HBONE port 15008;
/// - traffic type: the Gateway's istio.io/waypoint-for, else its class's, else service;
/// - attachment: the HBONE listener on 15008's allowedRoutes.namespaces.from, All or Same only
///   (the soak writes no Selector and no inbound-binding listener);
/// - inbound binding: the annotation on the Gateway, else the class, exactly `PROXY` or
///   `PROXY/<digits>` or `NONE...` (the soak writes those);
/// - a pod whose gateway-name label names a waypoint of its namespace is an instance: no
///   waypoint, the tunnel `<protocol>/<port>` when bound; otherwise its own use-waypoint label,
///   else its namespace's, as istiod; none, missing, denied or another traffic type: none.
/// No discovery selectors, as the soak's ambientd runs.
class waypoint_oracle {
public:
  /// Reads every cluster's Gateways and Namespaces, and the config cluster's (the first) classes
  /// (a kind not served counts as none); `networks` is each cluster's network. Throws
  /// std::runtime_error when a LIST fails.
  waypoint_oracle(sim_process& sim, const std::vector<std::string>& clusters,
                  const std::map<std::string, std::string>& networks);

  /// What a pod of `cluster` carries: the waypoint ("" for none) and the application tunnel
  /// ("" for none).
  struct fields {
    std::string waypoint, tunnel;
  };
  fields for_pod(const std::string& cluster, const sim::json& pod) const;

private:
  struct waypoint {
    std::string address; ///< "" when it has none
    std::string type;
    bool all_namespaces = false;
    std::string tunnel;
  };
  /// cluster → "ns/name" → waypoint
  std::map<std::string, std::map<std::string, waypoint>> waypoints_;
  /// cluster → namespace → labels
  std::map<std::string, std::map<std::string, std::map<std::string, std::string>>> namespaces_;
};

} // namespace ambient::bench
