#pragma once

#include <map>
#include <memory>
#include <string>

#include "mesh/mesh_index.hpp"
#include "support/mesh_builders.hpp"

/// What the mesh_index tests share: their mesh config, the system namespace that names a
/// cluster's network, and a view as bytes to compare.
namespace ambient::test {

/// The mesh config of the tests: config cluster "cluster-1" on `local_network`.
inline std::shared_ptr<const mesh::mesh_config> index_config(std::string local_network = "") {
  auto c = std::make_shared<mesh::mesh_config>();
  c->cluster_id = "cluster-1";
  c->network = std::move(local_network);
  return c;
}

/// istio-system labelled with the cluster's network.
inline kube::namespace_ system_ns(const std::string& network) {
  return make_namespace("istio-system", make_map({{"topology.istio.io/network", network}}));
}

/// A view (name → resource) as name → bytes: what a client holds.
inline std::map<std::string, std::string>
bytes_of(const std::map<std::string, mesh::address_ptr>& m) {
  std::map<std::string, std::string> out;
  for (const auto& [n, r] : m)
    out[n] = r->bytes;
  return out;
}

} // namespace ambient::test
