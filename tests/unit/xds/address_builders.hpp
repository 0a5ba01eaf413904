#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "mesh/context.hpp"
#include "mesh/mesh_index.hpp"
#include "mesh/resource.hpp"
#include "xds/publisher_tables.hpp"
#include "xds/resource_table.hpp"
#include "xds/type_urls.hpp"

/// Small builders of istio.workload.Address resources and mesh deltas for the xDS core tests.
namespace ambient::test {

/// An empty resource table of istio.workload.Address, keeping `max_log` changes.
inline xds::resource_table address_table(std::size_t max_log
                                         = xds::resource_table::default_max_log_entries) {
  return xds::resource_table{std::string{xds::address_type_url}, max_log};
}

/// "name@version" of each resource of a response (delta or state of the world), in order.
template <class Response>
std::vector<std::string> names_of(const Response& r) {
  std::vector<std::string> out;
  for (const auto& e : r.resources)
    out.push_back(e->name + "@" + e->version);
  return out;
}

/// A workload named by `uid` in network "net1" with one IP, member of the given service keys,
/// on `node` (none when empty).
inline mesh::address_ptr make_workload_resource(const std::string& uid, const std::string& ip,
                                                const std::vector<std::string>& services = {},
                                                const std::string& revision = "",
                                                const std::string& node = "") {
  istio::workload::Address a;
  auto* w = a.mutable_workload();
  w->set_uid(uid);
  w->set_name(uid);
  w->set_namespace_("demo");
  w->set_network("net1");
  w->add_addresses(*mesh::ip_bytes(ip));
  w->set_canonical_revision(revision);
  w->set_node(node);
  for (const auto& key : services)
    (*w->mutable_services())[key].add_ports()->set_service_port(80);
  return mesh::make_resource(uid, std::move(a));
}

/// A service "demo/<name>.demo.svc.cluster.local" with one VIP in network "net1".
inline mesh::address_ptr make_service_resource(const std::string& name, const std::string& vip) {
  istio::workload::Address a;
  auto* s = a.mutable_service();
  s->set_name(name);
  s->set_namespace_("demo");
  s->set_hostname(name + ".demo.svc.cluster.local");
  auto* na = s->add_addresses();
  na->set_network("net1");
  na->set_address(*mesh::ip_bytes(vip));
  return mesh::make_resource("demo/" + s->hostname(), std::move(a));
}

/// The resource name of make_service_resource(name, ...).
inline std::string service_key(const std::string& name) {
  return "demo/" + name + ".demo.svc.cluster.local";
}

/// A mesh delta at `version`.
inline mesh::mesh_delta make_delta(uint64_t version, std::vector<mesh::address_ptr> upserted,
                                   std::vector<std::string> removed = {}) {
  mesh::mesh_delta d;
  d.upserted = std::move(upserted);
  d.removed = std::move(removed);
  d.version = version;
  return d;
}

} // namespace ambient::test
