#include "xds/proxyless.hpp"

#include <algorithm>
#include <array>
#include <optional>
#include <utility>

#include "mesh/context.hpp"
#include "xds/set_index.hpp"

namespace ambient::xds {

namespace {

/// The resources that depend on (hostname, port) only, so are emitted once per port.
void add_static(proxyless_delta& out, std::string_view hostname, uint32_t port) {
  out.listeners.upserts.push_back(
      {listener_name(hostname, port), listener_bytes(hostname, port), {}});
  out.routes.upserts.push_back({listener_name(hostname, port), route_bytes(hostname, port), {}});
  out.clusters.upserts.push_back({cluster_name(hostname, port), cluster_bytes(hostname, port), {}});
}

void add_removes(proxyless_delta& out, std::string_view hostname, uint32_t port) {
  out.listeners.removes.push_back(listener_name(hostname, port));
  out.routes.removes.push_back(listener_name(hostname, port));
  out.clusters.removes.push_back(cluster_name(hostname, port));
  out.endpoints.removes.push_back(cluster_name(hostname, port));
}

/// A service's ports: service_port → target_port, the first entry of a repeated port winning.
std::map<uint32_t, uint32_t> ports_of(const istio::workload::Service& s) {
  std::map<uint32_t, uint32_t> ports;
  for (const auto& p : s.ports())
    if (p.service_port() != 0)
      ports.emplace(p.service_port(), p.target_port());
  return ports;
}

/// The port a workload serves `service_port` on, or nullopt when its port list leaves it out.
std::optional<uint32_t> endpoint_port(const istio::workload::PortList& list, uint32_t service_port,
                                      uint32_t service_target) {
  const uint32_t fallback = service_target != 0 ? service_target : service_port;
  if (list.ports().empty())
    return fallback;
  for (const auto& p : list.ports())
    if (p.service_port() == service_port)
      return p.target_port() != 0 ? p.target_port() : fallback;
  return std::nullopt;
}

bool same_ports(const istio::workload::PortList& a, const istio::workload::PortList& b) {
  if (a.ports_size() != b.ports_size())
    return false;
  for (int i = 0; i < a.ports_size(); ++i)
    if (a.ports(i).service_port() != b.ports(i).service_port()
        || a.ports(i).target_port() != b.ports(i).target_port())
      return false;
  return true;
}

/// Whether `a` and `b` give the same endpoints to every service: load_assignment() reads only
/// the status, the first address, the locality, the cluster and the `services` map. A relabelled
/// pod (the common churn) changes none of them.
bool same_endpoints(const istio::workload::Workload& a, const istio::workload::Workload& b) {
  if (a.status() != b.status() || a.cluster_id() != b.cluster_id()
      || a.addresses().empty() != b.addresses().empty()
      || (!a.addresses().empty() && a.addresses(0) != b.addresses(0))
      || a.locality().region() != b.locality().region()
      || a.locality().zone() != b.locality().zone()
      || a.locality().subzone() != b.locality().subzone()
      || a.services().size() != b.services().size())
    return false;
  for (const auto& [key, ports] : a.services()) {
    auto it = b.services().find(key);
    if (it == b.services().end() || !same_ports(ports, it->second))
      return false;
  }
  return true;
}

/// Whether `a` and `b` give the same clusters and endpoints: emit() reads a Service's hostname
/// and ports only. A Service re-sent for another field (its waypoint, its SANs) changes neither.
bool same_listing(const istio::workload::Service& a, const istio::workload::Service& b) {
  return a.hostname() == b.hostname() && ports_of(a) == ports_of(b);
}

void sort_all(proxyless_delta& d) {
  for (auto* t : {&d.listeners, &d.routes, &d.clusters, &d.endpoints}) {
    std::sort(t->upserts.begin(), t->upserts.end(),
              [](const resource_update& a, const resource_update& b) { return a.name < b.name; });
    std::sort(t->removes.begin(), t->removes.end());
  }
}

} // namespace

proxyless_delta proxyless_view::apply(const mesh::mesh_delta& delta) {
  std::set<std::string> dirty; // hostnames
  for (const auto& name : delta.removed)
    erase(name, dirty);
  for (const auto& r : delta.upserted) {
    if (auto it = workloads_.find(r->name);
        it != workloads_.end() && r->address.has_workload()
        && same_endpoints(it->second->address.workload(), r->address.workload())) {
      it->second = r; // same service memberships, no endpoint moved: nothing to re-send
      continue;
    }
    if (auto it = services_.find(r->name);
        it != services_.end() && r->address.has_service()
        && same_listing(it->second->address.service(), r->address.service())) {
      it->second = r; // same hostname and ports: its clusters and endpoints stay
      continue;
    }
    erase(r->name, dirty);
    insert(r, dirty);
  }
  proxyless_delta out;
  for (const auto& hostname : dirty)
    refresh(hostname, out);
  sort_all(out);
  return out;
}

proxyless_delta proxyless_view::rebuild() const {
  proxyless_delta out;
  for (const auto& [hostname, keys] : hostnames_)
    emit(hostname, {}, out);
  sort_all(out);
  return out;
}

void proxyless_view::erase(const std::string& name, std::set<std::string>& dirty) {
  if (auto it = services_.find(name); it != services_.end()) {
    const auto& hostname = it->second->address.service().hostname();
    dirty.insert(hostname);
    unlink(hostnames_, hostname, name);
    services_.erase(it);
  }
  if (auto it = workloads_.find(name); it != workloads_.end()) {
    dirty_services_of(it->second, dirty);
    for (const auto& [key, ports] : it->second->address.workload().services())
      unlink(members_, key, name);
    workloads_.erase(it);
  }
}

void proxyless_view::insert(const mesh::address_ptr& r, std::set<std::string>& dirty) {
  if (r->address.has_service()) {
    const auto& hostname = r->address.service().hostname();
    if (hostname.empty())
      return; // nothing a client could dial
    services_[r->name] = r;
    hostnames_[hostname].insert(r->name);
    dirty.insert(hostname);
  } else if (r->address.has_workload()) {
    workloads_[r->name] = r;
    for (const auto& [key, ports] : r->address.workload().services())
      members_[key].insert(r->name);
    dirty_services_of(r, dirty);
  }
}

void proxyless_view::dirty_services_of(const mesh::address_ptr& workload,
                                       std::set<std::string>& dirty) const {
  for (const auto& [key, ports] : workload->address.workload().services())
    if (auto s = services_.find(key); s != services_.end())
      dirty.insert(s->second->address.service().hostname());
}

void proxyless_view::refresh(const std::string& hostname, proxyless_delta& out) {
  auto& ports = emitted_[hostname];
  auto now = emit(hostname, ports, out);
  for (auto port : ports)
    if (!now.contains(port))
      add_removes(out, hostname, port);
  ports = std::move(now);
  if (ports.empty())
    emitted_.erase(hostname);
}

std::set<uint32_t> proxyless_view::emit(const std::string& hostname,
                                        const std::set<uint32_t>& known,
                                        proxyless_delta& out) const {
  std::set<uint32_t> ports;
  auto h = hostnames_.find(hostname);
  if (h == hostnames_.end())
    return ports;
  const auto& key = *h->second.begin(); // the smallest resource name wins a shared hostname
  for (const auto& [port, target] : ports_of(services_.at(key)->address.service())) {
    ports.insert(port);
    if (!known.contains(port))
      add_static(out, hostname, port);
    out.endpoints.upserts.push_back(
        {cluster_name(hostname, port), load_assignment(key, hostname, port, target), {}});
  }
  return ports;
}

std::string proxyless_view::load_assignment(const std::string& key, const std::string& hostname,
                                            uint32_t service_port, uint32_t service_target) const {
  std::vector<endpoint_row> rows;
  if (auto m = members_.find(key); m != members_.end()) {
    for (const auto& uid : m->second) {
      const auto& w = workloads_.at(uid)->address.workload();
      if (w.status() != istio::workload::HEALTHY || w.addresses().empty())
        continue; // split-horizon and network-gateway workloads have no address
      auto ip = mesh::ip_text(w.addresses(0));
      auto port = endpoint_port(w.services().at(key), service_port, service_target);
      if (ip.empty() || !port)
        continue;
      const auto& l = w.locality();
      rows.push_back({{l.region(), l.zone(), l.subzone()}, w.cluster_id(), std::move(ip), *port});
    }
  }
  return load_assignment_bytes(hostname, service_port, std::move(rows));
}

} // namespace ambient::xds
