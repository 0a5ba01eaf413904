#include "mesh/service_builder.hpp"

#include <algorithm>
#include <cctype>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace ambient::mesh {

namespace {

namespace wl = istio::workload;

/// The traffic distributions istiod tells apart (pilot/pkg/model/service.go, TrafficDistribution).
enum class traffic_distribution { any, prefer_same_zone, prefer_same_node };

/// Whether `a` and `b` are equal ignoring ASCII case.
bool iequals(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x))
           == std::tolower(static_cast<unsigned char>(y));
  });
}

/// istiod's GetTrafficDistribution: spec.trafficDistribution first (exact values), then the
/// legacy annotation (any case); anything else is `any`.
traffic_distribution distribution_of(const kube::service& s) {
  const auto& spec = s.traffic_distribution;
  if (spec == "PreferClose" || spec == "PreferSameZone")
    return traffic_distribution::prefer_same_zone;
  if (spec == "PreferSameNode")
    return traffic_distribution::prefer_same_node;
  auto note = kube::lookup(s.meta.annotations, "networking.istio.io/traffic-distribution");
  if (!note)
    return traffic_distribution::any;
  if (iequals(*note, "PreferClose") || iequals(*note, "PreferSameZone"))
    return traffic_distribution::prefer_same_zone;
  if (iequals(*note, "PreferSameNode"))
    return traffic_distribution::prefer_same_node;
  return traffic_distribution::any;
}

/// A fresh load-balancing setting. Always a new message: publishNotReadyAddresses changes it per
/// service. (istiod 1.28.3 hands out shared presets here and so leaks ALLOW_ALL into every other
/// service with the same traffic distribution; later istiod returns fresh ones, as we do.)
wl::LoadBalancing make_load_balancing(wl::LoadBalancing::Mode mode,
                                      std::initializer_list<wl::LoadBalancing::Scope> scopes) {
  wl::LoadBalancing lb;
  lb.set_mode(mode);
  for (auto scope : scopes)
    lb.add_routing_preference(scope);
  return lb;
}

/// internalTrafficPolicy wins over the traffic distribution; nullopt when neither applies.
std::optional<wl::LoadBalancing> load_balancing_of(const kube::service& s) {
  if (s.internal_traffic_policy == "Local")
    return make_load_balancing(wl::LoadBalancing::STRICT, {wl::LoadBalancing::NODE});
  switch (distribution_of(s)) {
    case traffic_distribution::prefer_same_zone:
      return make_load_balancing(
          wl::LoadBalancing::FAILOVER,
          {wl::LoadBalancing::NETWORK, wl::LoadBalancing::REGION, wl::LoadBalancing::ZONE});
    case traffic_distribution::prefer_same_node:
      return make_load_balancing(wl::LoadBalancing::FAILOVER,
                                 {wl::LoadBalancing::NETWORK, wl::LoadBalancing::REGION,
                                  wl::LoadBalancing::ZONE, wl::LoadBalancing::SUBZONE,
                                  wl::LoadBalancing::NODE});
    case traffic_distribution::any:
      break;
  }
  return std::nullopt;
}

/// istiod's constructService: exactly two families are DUAL, one is IPv4 or (anything else) IPv6.
wl::IPFamilies ip_families_of(const kube::service& s) {
  if (s.ip_families.size() == 2)
    return wl::DUAL;
  if (s.ip_families.size() == 1)
    return s.ip_families.front() == "IPv4" ? wl::IPV4_ONLY : wl::IPV6_ONLY;
  return wl::AUTOMATIC;
}

/// istiod's getVIPs: spec.clusterIPs, else spec.clusterIP, without "" and "None".
std::vector<std::string_view> vips_of(const kube::service& s) {
  std::vector<std::string_view> out;
  auto add = [&out](std::string_view ip) {
    if (!ip.empty() && ip != "None")
      out.push_back(ip);
  };
  if (s.cluster_ips.empty())
    add(s.cluster_ip);
  for (const auto& ip : s.cluster_ips)
    add(ip);
  return out;
}

} // namespace

std::optional<istio::workload::Service> build_service(const kube::service& s,
                                                      const cluster_context& ctx) {
  if (s.type == "ExternalName")
    return std::nullopt;
  wl::Service out;
  out.set_name(s.meta.name);
  out.set_namespace_(s.meta.namespace_);
  out.set_hostname(service_hostname(s.meta.name, s.meta.namespace_, ctx.cluster_domain));
  for (auto vip : vips_of(s)) {
    auto bytes = ip_bytes(vip);
    if (!bytes)
      return std::nullopt; // istiod drops the whole Service when a VIP does not parse
    auto* address = out.add_addresses();
    address->set_network(ctx.network);
    address->set_address(std::move(*bytes));
  }
  for (const auto& p : s.ports) {
    auto* port = out.add_ports();
    port->set_service_port(static_cast<uint32_t>(p.port));
    port->set_target_port(p.target_port_name.empty() ? static_cast<uint32_t>(p.target_port_number)
                                                     : 0u);
  }
  auto lb = load_balancing_of(s);
  if (s.publish_not_ready_addresses) {
    if (!lb)
      lb.emplace();
    lb->set_health_policy(wl::LoadBalancing::ALLOW_ALL);
  }
  if (lb)
    *out.mutable_load_balancing() = std::move(*lb);
  out.set_ip_families(ip_families_of(s));
  return out;
}

const kube::service_port& port_names_of(const kube::service& svc, int32_t port) {
  const kube::service_port* last = nullptr;
  for (const auto& sp : svc.ports)
    if (sp.port == port)
      last = &sp;
  return *last; // the caller passes a port of svc, so one matches
}

} // namespace ambient::mesh
