#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "kube/objects.hpp"
#include "mesh/context.hpp"
#include "support/mesh_builders.hpp"

/// Builders for the service and network-gateway tests. Their own namespace keeps them apart from
/// the other mesh builders linked into the same test binary.
namespace ambient::test::mesh_svc {

/// Sets `key` in a sorted map, keeping it sorted (set_label under the name these tests use).
inline void put(kube::string_map& m, std::string key, std::string value) {
  set_label(m, key, value);
}

/// A service port whose targetPort is a number (make_port under the name these tests use).
inline kube::service_port port(int32_t port, int32_t target, std::string name = "") {
  return make_port(port, target, std::move(name));
}

/// A service port whose targetPort names a container port.
inline kube::service_port named_port(int32_t port, std::string target_name) {
  return make_named_port(port, std::move(target_name));
}

/// A single-stack IPv4 ClusterIP Service `demo/web` at 10.96.0.10 with port 80 → 8080.
inline kube::service service(std::string name = "web", std::string ns = "demo") {
  kube::service s;
  s.meta.name = std::move(name);
  s.meta.namespace_ = std::move(ns);
  s.meta.uid = "uid-" + s.meta.name;
  s.type = "ClusterIP";
  s.cluster_ip = "10.96.0.10";
  s.cluster_ips = {"10.96.0.10"};
  s.ip_families = {"IPv4"};
  s.selector = {{"app", s.meta.name}};
  s.ports = {port(80, 8080, "http")};
  s.internal_traffic_policy = "Cluster";
  return s;
}

/// A Gateway `istio-system/eastwest` on network `network-2` with class `cls`, an HBONE listener
/// on `hbone_port` with TLS `tls_mode`, and status address `address`.
inline kube::gateway gateway(std::string cls, std::string address = "172.18.0.10",
                             int32_t hbone_port = 15008, std::string tls_mode = "Terminate") {
  kube::gateway g;
  g.meta.name = "eastwest";
  g.meta.namespace_ = "istio-system";
  put(g.meta.labels, "topology.istio.io/network", "network-2");
  g.gateway_class = std::move(cls);
  g.listeners.push_back({"mesh", "HBONE", hbone_port, std::move(tls_mode)});
  if (!address.empty())
    g.addresses.push_back({mesh::ip_bytes(address) ? "IPAddress" : "Hostname", std::move(address)});
  return g;
}

/// The context of a cluster `cluster-1` on network `network-1`.
inline mesh::cluster_context context(std::string cluster_id = "cluster-1",
                                     std::string network = "network-1") {
  mesh::cluster_context ctx;
  ctx.cluster_id = std::move(cluster_id);
  ctx.network = std::move(network);
  return ctx;
}

} // namespace ambient::test::mesh_svc
