#include "mesh/endpoint_slice_builder.hpp"

#include <algorithm>

#include "mesh/service_builder.hpp"

namespace ambient::mesh {

namespace {

namespace wl = istio::workload;

std::string slice_key(const kube::endpoint_slice& s) {
  return kube::object_key(s.meta);
}

/// The slice's ports joined to the Service's (workloads.go:1222-1247).
void slice_ports(const kube::endpoint_slice& s, const kube::service& svc,
                 const cluster_context& ctx, wl::PortList& out, skip_log& skips) {
  for (const auto& p : s.ports) {
    if (!p.name || !p.protocol || p.port == 0) {
      skips.add(skip_reason::slice_port_incomplete, ctx.cluster_id, slice_key(s),
                "a port without a name, number or protocol");
      continue;
    }
    if (*p.protocol != "TCP")
      continue; // ztunnel carries TCP only
    auto named = std::find_if(svc.ports.begin(), svc.ports.end(), [&](const auto& sp) {
      return port_names_of(svc, sp.port).name == *p.name;
    });
    if (named == svc.ports.end())
      continue;
    auto* port = out.add_ports();
    port->set_service_port(static_cast<uint32_t>(named->port));
    port->set_target_port(static_cast<uint32_t>(p.port));
  }
}

/// The bytes of every address of `e`; false (and counted) when one is not an IP address.
bool endpoint_addresses(const kube::endpoint_slice& s, const kube::endpoint_slice::endpoint& e,
                        const cluster_context& ctx, wl::Workload& w, skip_log& skips) {
  for (const auto& a : e.addresses) {
    auto bytes = ip_bytes(a);
    if (!bytes) {
      skips.add(skip_reason::endpoint_bad_address, ctx.cluster_id, slice_key(s),
                "address " + a.substr(0, 64) + " is not an IP address");
      return false;
    }
    w.add_addresses(std::move(*bytes));
  }
  return true;
}

} // namespace

std::string slice_service_key(const kube::endpoint_slice& s) {
  if (auto name = kube::lookup(s.meta.labels, "kubernetes.io/service-name"))
    return s.meta.namespace_ + "/" + std::string{*name};
  return {};
}

bool slice_address_type_usable(const kube::endpoint_slice& s, std::string_view cluster_id,
                               skip_log& skips) {
  if (s.address_type == "IPv4" || s.address_type == "IPv6")
    return true;
  if (s.address_type == "FQDN")
    skips.add(skip_reason::slice_fqdn, std::string{cluster_id}, slice_key(s));
  else
    skips.add(skip_reason::slice_address_type, std::string{cluster_id}, slice_key(s),
              "addressType \"" + s.address_type.substr(0, 32) + "\"");
  return false;
}

std::string slice_workload_uid(std::string_view cluster_id, const kube::endpoint_slice& s,
                               std::string_view first_address) {
  std::string out;
  out.reserve(cluster_id.size() + s.meta.namespace_.size() + s.meta.name.size()
              + first_address.size() + 34);
  out.append(cluster_id)
      .append("/discovery.k8s.io/EndpointSlice/")
      .append(s.meta.namespace_)
      .append("/")
      .append(s.meta.name)
      .append("/")
      .append(first_address);
  return out;
}

std::vector<address_ptr> build_slice_workloads(const kube::endpoint_slice& s,
                                               const kube::service& svc, const cluster_context& ctx,
                                               skip_log& skips) {
  std::vector<address_ptr> out;
  wl::PortList ports;
  slice_ports(s, svc, ctx, ports, skips);
  auto service_key = svc.meta.namespace_ + "/"
                     + service_hostname(svc.meta.name, svc.meta.namespace_, ctx.cluster_domain);
  std::vector<std::string_view> seen;
  for (const auto& e : s.endpoints) {
    if (e.target_kind == "Pod")
      continue;
    if (e.addresses.empty()) {
      skips.add(skip_reason::endpoint_no_address, ctx.cluster_id, slice_key(s));
      continue;
    }
    const auto& first = e.addresses.front();
    if (std::find(seen.begin(), seen.end(), first) != seen.end()) {
      skips.add(skip_reason::endpoint_repeated_address, ctx.cluster_id, slice_key(s),
                "address " + first.substr(0, 64) + " listed twice");
      continue;
    }
    seen.push_back(first);
    auto uid = slice_workload_uid(ctx.cluster_id, s, first);
    auto r = build_resource(uid, [&](wl::Address& a) {
      auto& w = *a.mutable_workload();
      if (!endpoint_addresses(s, e, ctx, w, skips))
        return false;
      w.set_uid(uid);
      w.set_name(s.meta.name);
      w.set_namespace_(s.meta.namespace_);
      if (!ctx.network.empty())
        w.set_network(ctx.network);
      if (ctx.trust_domain != "cluster.local")
        w.set_trust_domain(ctx.trust_domain);
      (*w.mutable_services())[service_key] = ports;
      w.set_status(e.ready ? wl::HEALTHY : wl::UNHEALTHY);
      w.set_cluster_id(ctx.cluster_id);
      w.set_network_mode(wl::HOST_NETWORK);
      return true;
    });
    if (r)
      out.push_back(std::move(r));
  }
  return out;
}

} // namespace ambient::mesh
