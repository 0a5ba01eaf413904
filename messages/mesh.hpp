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

/// The merged view at one moment (the readiness aggregator's answer to `atom::resources`):
/// pointers to its immutable resources, so taking it copies no resource.
using mesh_snapshot = std::shared_ptr<const std::vector<mesh::address_ptr>>;

} // namespace ambient::messages

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ambient::messages::mesh_delta_ptr)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ambient::messages::aggregator_status)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ambient::messages::mesh_snapshot)
