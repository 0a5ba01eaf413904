#pragma once

#include <memory>

#include <caf/allowed_unsafe_message_type.hpp>

#include "mesh/mesh_index.hpp"

namespace ambient::messages {

/// A change of the merged view (readiness aggregator → xDS publisher). Travels as a
/// shared_ptr<const mesh_delta>: the resources in it are shared with the aggregator's view.
using mesh_delta_ptr = std::shared_ptr<const mesh::mesh_delta>;

/// The readiness aggregator's answer to `atom::status`.
struct aggregator_status {
  uint64_t version = 0;
  size_t resources = 0;
  std::vector<std::string> admitted_clusters;
};

/// The merged view at one moment: pointers to its immutable resources, so taking it copies no
/// resource.
struct mesh_view {
  std::vector<mesh::address_ptr> resources;            ///< workloads and services, by name
  std::vector<mesh::authorization_ptr> authorizations; ///< the Authorization resources, by name
};

/// The readiness aggregator's answer to `atom::resources` (/debug/workloads, /debug/policies).
using mesh_snapshot = std::shared_ptr<const mesh_view>;

/// The readiness aggregator's answer to `atom::waypoints` (/debug/waypoints).
using waypoint_report_ptr = std::shared_ptr<const mesh::waypoint_report>;

} // namespace ambient::messages

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ambient::messages::mesh_delta_ptr)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ambient::messages::aggregator_status)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ambient::messages::mesh_snapshot)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ambient::messages::waypoint_report_ptr)
