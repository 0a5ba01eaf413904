#include "mesh/network_gateway.hpp"

#include <algorithm>

namespace ambient::mesh {

namespace {

/// pkg/config/constants: the classes of network gateways.
constexpr std::string_view remote_gateway_class = "istio-remote";
constexpr std::string_view east_west_gateway_class = "istio-east-west";

/// The listener a network gateway tunnels through, if the Gateway has one for its side.
const kube::gateway::listener* hbone_listener(const kube::gateway& g, bool local_cluster) {
  auto i = std::find_if(g.listeners.begin(), g.listeners.end(), [&](const auto& l) {
    return l.protocol == "HBONE" && (local_cluster || l.tls_mode == "Terminate");
  });
  return i == g.listeners.end() ? nullptr : &*i;
}

/// istiod's kube.GatewaySA.
std::string service_account_of(const kube::gateway& g) {
  if (auto sa = kube::lookup(g.meta.annotations, "gateway.istio.io/service-account");
      sa && !sa->empty())
    return std::string{*sa};
  if (g.gateway_class == remote_gateway_class)
    return g.meta.name + "-" + g.gateway_class;
  return g.meta.name;
}

} // namespace

std::vector<network_gateway> network_gateways_of(const kube::gateway& g, const cluster_context& ctx,
                                                 bool local_cluster, skip_log* skips) {
  auto network = kube::lookup(g.meta.labels, "topology.istio.io/network");
  if (!network || network->empty())
    return {};
  if (g.gateway_class != (local_cluster ? remote_gateway_class : east_west_gateway_class))
    return {};
  const auto* listener = hbone_listener(g, local_cluster);
  if (listener == nullptr)
    return {};
  network_gateway base;
  base.network = std::string{*network};
  base.cluster_id = ctx.cluster_id;
  base.namespace_ = g.meta.namespace_;
  base.name = g.meta.name;
  base.hbone_port = local_cluster ? static_cast<uint32_t>(listener->port) : 0u;
  base.service_account = service_account_of(g);
  std::vector<network_gateway> out;
  out.reserve(g.addresses.size());
  for (const auto& address : g.addresses) {
    if (address.type != "IPAddress" && address.type != "Hostname") {
      if (skips != nullptr)
        skips->add(skip_reason::gateway_address_type, ctx.cluster_id, kube::object_key(g.meta),
                   "status address type \"" + address.type.substr(0, 32) + "\"");
      continue;
    }
    if (address.value.empty())
      continue;
    auto& gw = out.emplace_back(base);
    gw.address = address.value;
    gw.address_is_ip = ip_bytes(address.value).has_value();
  }
  return out;
}

std::optional<network_gateway> gateway_of(const kube::gateway& g, const cluster_context& ctx,
                                          bool local_cluster) {
  auto all = network_gateways_of(g, ctx, local_cluster);
  if (all.empty())
    return std::nullopt;
  return std::move(all.front());
}

std::string network_gateway_uid(const network_gateway& gw) {
  return "NetworkGateway/" + gw.network + "/" + gw.address + "/" + std::to_string(gw.hbone_port);
}

std::string network_gateway_resource_name(const network_gateway& gw) {
  return gw.namespace_ + "/" + gw.name + "/" + gw.address;
}

istio::workload::Workload network_gateway_workload(const network_gateway& gw,
                                                   std::string_view trust_domain) {
  istio::workload::Workload w;
  w.set_uid(network_gateway_uid(gw));
  w.set_name(w.uid());
  w.set_service_account(gw.service_account);
  w.set_namespace_(gw.namespace_);
  w.set_network(gw.network);
  if (trust_domain != "cluster.local")
    w.set_trust_domain(std::string{trust_domain});
  if (auto bytes = ip_bytes(gw.address))
    w.add_addresses(std::move(*bytes));
  else
    w.set_hostname(gw.address);
  return w;
}

void fill_gateway_address(const network_gateway& gw, istio::workload::GatewayAddress& out) {
  auto bytes = gw.address_is_ip ? ip_bytes(gw.address) : std::nullopt;
  if (bytes) {
    auto* address = out.mutable_address();
    address->set_network(gw.network);
    address->set_address(std::move(*bytes));
  } else {
    auto* hostname = out.mutable_hostname();
    hostname->set_namespace_(gw.namespace_);
    hostname->set_hostname(gw.address);
  }
  out.set_hbone_mtls_port(gw.hbone_port != 0 ? gw.hbone_port : default_hbone_port);
}

} // namespace ambient::mesh
