#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "mesh/authorization_types.hpp"

/// Builders for PeerAuthentication tests.
namespace ambient::test {

/// A PeerAuthentication `ns/name` in `mode`, created at `age` seconds.
inline mesh::peer_authentication make_pa(const std::string& ns, const std::string& name,
                                         mesh::mtls_mode mode, int64_t age = 0) {
  mesh::peer_authentication pa;
  pa.meta.namespace_ = ns;
  pa.meta.name = name;
  pa.mode = mode;
  pa.creation_seconds = age;
  return pa;
}

/// A workload PeerAuthentication selecting `app=web`, with port-level modes.
inline mesh::peer_authentication make_workload_pa(const std::string& ns, const std::string& name,
                                                  mesh::mtls_mode mode,
                                                  std::map<uint32_t, mesh::mtls_mode> ports,
                                                  int64_t age = 0) {
  auto pa = make_pa(ns, name, mode, age);
  pa.selector = kube::string_map{{"app", "web"}};
  pa.port_level_mtls = std::move(ports);
  return pa;
}

} // namespace ambient::test
