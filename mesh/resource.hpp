#pragma once

#include <memory>
#include <string>

#include "istio/workload/workload.pb.h"

namespace ambient::mesh {

/// One resource of the merged view as ztunnel receives it: the Address and its bytes, serialized
/// once (deterministically) and shared by everyone who holds or sends it.
struct address_resource {
  std::string name; ///< workload uid, or "namespace/hostname" for a service
  istio::workload::Address address;
  std::string bytes;
};

using address_ptr = std::shared_ptr<const address_resource>;

/// Builds a resource, serializing `address` deterministically (map entries sorted), so equal
/// resources have equal bytes.
address_ptr make_resource(std::string name, istio::workload::Address address);

} // namespace ambient::mesh
