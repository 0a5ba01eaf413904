#include "mesh/split_horizon.hpp"

namespace ambient::mesh {

namespace {

/// The `namespace/hostname` key of a Service: its xDS name and its key in Workload.services.
std::string service_key(const istio::workload::Service& svc) {
  return svc.namespace_() + "/" + svc.hostname();
}

} // namespace

std::string split_horizon_uid(const network_gateway& gw, const istio::workload::Service& svc) {
  return gw.network + "/SplitHorizonWorkload/" + network_gateway_resource_name(gw) + "/"
         + service_key(svc);
}

istio::workload::Workload split_horizon_workload(const network_gateway& gw,
                                                 const istio::workload::Service& svc,
                                                 uint32_t capacity, std::string_view trust_domain) {
  namespace wl = istio::workload;
  wl::Workload out;
  auto uid = split_horizon_uid(gw, svc);
  out.set_name(uid);
  out.set_uid(std::move(uid));
  out.set_namespace_(svc.namespace_());
  out.set_network(gw.network);
  out.set_cluster_id(gw.cluster_id);
  if (trust_domain != "cluster.local")
    out.set_trust_domain(std::string{trust_domain});
  out.mutable_capacity()->set_value(capacity);
  out.set_workload_type(wl::POD);
  out.set_tunnel_protocol(wl::HBONE);
  fill_gateway_address(gw, *out.mutable_network_gateway());
  auto& ports = (*out.mutable_services())[service_key(svc)];
  ports.mutable_ports()->CopyFrom(svc.ports());
  return out;
}

} // namespace ambient::mesh
