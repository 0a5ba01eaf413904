#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "mesh/waypoint.hpp"

namespace ambient::mesh {

/// The operator's view of waypoints (/debug/waypoints): every admitted cluster's waypoints, the
/// Services that name one and the pods that name one in vain, with the outcome. Built on request
/// from the mesh index; nothing of it is sent to ztunnel.
struct waypoint_report {
  struct row {
    std::string cluster;
    waypoint record;
    uint32_t services = 0, workloads = 0; ///< objects of that cluster bound to it
    uint32_t instances = 0;               ///< pods whose gateway-name label names it
  };
  /// One object whose labels, or its namespace's, name a waypoint: every such Service, and every
  /// such pod that is not bound (bound pods are only counted: /debug/workloads shows each).
  struct binding {
    std::string cluster;
    std::string kind;         ///< "Service" or "Pod"
    std::string object;       ///< "namespace/name"
    std::string waypoint;     ///< "namespace/name" named
    std::string status;       ///< "Bound", or istiod's reason (to_string(binding_error))
    bool has_address = false; ///< bound, and the waypoint has an address
    std::optional<bool> ingress_use_waypoint; ///< for bound Services
  };
  std::vector<row> waypoints;    ///< by cluster, then key
  std::vector<binding> bindings; ///< by cluster, kind, object
};

} // namespace ambient::mesh
