#pragma once

#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <vector>

#include "mesh/mesh_index.hpp"
#include "support/mesh_builders.hpp"

/// What the waypoint tests share: waypoint Gateways and GatewayClasses as the Istio gateway
/// controller leaves them, object metadata, and the waypoint a resource of the view carries.
namespace ambient::test {

/// Gateway `ns/name` of class istio-waypoint with an HBONE listener on 15008 and the given status
/// addresses.
inline kube::gateway waypoint_gateway(std::string ns, std::string name,
                                      std::vector<kube::gateway::address> addresses) {
  kube::gateway g;
  g.meta.namespace_ = std::move(ns);
  g.meta.name = std::move(name);
  g.gateway_class = "istio-waypoint";
  g.listeners.push_back({"mesh", "HBONE", 15008, ""});
  g.addresses = std::move(addresses);
  return g;
}

/// The same, ready (`ready`) with a Hostname status address `<name>.<ns>.svc.cluster.local`, or
/// the IPAddress `address` when given.
inline kube::gateway waypoint_gw(std::string ns = "demo", std::string name = "waypoint",
                                 bool ready = true, std::string address = "") {
  std::vector<kube::gateway::address> addresses;
  if (ready && address.empty())
    addresses.push_back({"Hostname", name + "." + ns + ".svc.cluster.local"});
  else if (ready)
    addresses.push_back({"IPAddress", std::move(address)});
  return waypoint_gateway(std::move(ns), std::move(name), std::move(addresses));
}

/// GatewayClass istio-waypoint, labelled istio.io/waypoint-for=`waypoint_for` unless empty.
inline kube::gateway_class waypoint_class(std::string waypoint_for = "",
                                          kube::string_map annotations = {}) {
  kube::gateway_class c;
  c.meta.name = "istio-waypoint";
  c.controller_name = "istio.io/mesh-controller";
  if (!waypoint_for.empty())
    c.meta.labels = make_map({{"istio.io/waypoint-for", std::move(waypoint_for)}});
  c.meta.annotations = std::move(annotations);
  return c;
}

inline kube::object_meta meta_of(std::string ns, std::string name, kube::string_map labels = {}) {
  kube::object_meta m;
  m.namespace_ = std::move(ns);
  m.name = std::move(name);
  m.labels = std::move(labels);
  return m;
}

inline const istio::workload::Address& address_of(const mesh::mesh_index& idx,
                                                  const std::string& name) {
  auto it = idx.resources().find(name);
  REQUIRE(it != idx.resources().end());
  return it->second->address;
}

/// The waypoint a workload or service of the view carries: "<ns>/<hostname>:<port>", "ip:<n
/// bytes>@<network>" for an address, "" when unset.
inline std::string waypoint_of(const mesh::mesh_index& idx, const std::string& name) {
  const auto& a = address_of(idx, name);
  const auto& w = a.has_workload() ? a.workload().waypoint() : a.service().waypoint();
  bool set = a.has_workload() ? a.workload().has_waypoint() : a.service().has_waypoint();
  if (!set)
    return "";
  if (w.has_hostname())
    return w.hostname().namespace_() + "/" + w.hostname().hostname() + ":"
           + std::to_string(w.hbone_mtls_port());
  return "ip:" + std::to_string(w.address().address().size()) + "@" + w.address().network();
}

/// The index tests' Service demo/web, and waypoint demo/waypoint as it carries it.
inline const std::string web_svc = "demo/web.demo.svc.cluster.local";
inline const std::string demo_wp = "demo/waypoint.demo.svc.cluster.local:15008";

inline kube::namespace_ demo_ns(kube::string_map labels = {}) {
  return make_namespace("demo", std::move(labels));
}

/// The names a delta re-sends, sorted.
inline std::vector<std::string> upserted(const mesh::mesh_delta& d) {
  std::vector<std::string> out;
  for (const auto& r : d.upserted)
    out.push_back(r->name);
  std::sort(out.begin(), out.end());
  return out;
}

} // namespace ambient::test
