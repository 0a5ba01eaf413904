#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "istio/workload/workload.pb.h"
#include "kube/objects.hpp"
#include "mesh/context.hpp"
#include "mesh/index_skips.hpp"

namespace ambient::mesh {

/// The port ztunnel tunnels to on a network gateway that does not name one (istiod's default in
/// createSplitHorizonWorkload).
inline constexpr uint32_t default_hbone_port = 15008;

/// A gateway through which workloads of another network are reached: one address of a Gateway
/// (gateway.networking.k8s.io) labelled topology.istio.io/network.
struct network_gateway {
  /// The network the gateway leads into: its topology.istio.io/network label.
  std::string network;
  /// The cluster the Gateway object was read from.
  std::string cluster_id;
  /// The Gateway's namespace and name.
  std::string namespace_, name;
  /// An IP address or a hostname, from status.addresses.
  std::string address;
  bool address_is_ip = false;
  /// The HBONE listener's port for an `istio-remote` Gateway of the local cluster; 0 (unset) for
  /// an `istio-east-west` Gateway of a remote cluster, as istiod, whose uid then ends in "/0";
  /// default_hbone_port applies where a port is needed.
  uint32_t hbone_port = 0;
  /// The gateway's identity in namespace_: see gateway_of.
  std::string service_account;
  bool operator==(const network_gateway&) const = default;
};

/// The network gateways a Gateway declares, one per status address, as istiod 1.28.3
/// (ambient/networks.go, k8sGatewayToNetworkGateways). It needs a non-empty label
/// topology.istio.io/network, and then:
/// - in the local cluster (`local_cluster`): class `istio-remote` and a listener with protocol
///   HBONE, whose port becomes hbone_port (the first such listener);
/// - in a remote cluster: class `istio-east-west` and a listener with protocol HBONE and TLS mode
///   Terminate; hbone_port stays 0.
///
/// The service account is the annotation gateway.istio.io/service-account when set, else
/// `<name>-istio-remote` for class istio-remote, else the Gateway's name (kube.GatewaySA).
/// Only status addresses of type IPAddress or Hostname count (networks.go skips the others, and
/// a missing type); each other one is counted in `skips` when given. Empty when the Gateway does
/// not qualify.
std::vector<network_gateway> network_gateways_of(const kube::gateway& g, const cluster_context& ctx,
                                                 bool local_cluster, skip_log* skips = nullptr);

/// The network gateway of the Gateway's first address; nullopt when it does not qualify (see
/// network_gateways_of) or has no address yet.
std::optional<network_gateway> gateway_of(const kube::gateway& g, const cluster_context& ctx,
                                          bool local_cluster);

/// The uid (and name) of the Workload istiod sends for a network gateway:
/// `NetworkGateway/<network>/<address>/<hbone_port>` (ambient/workloads.go, gatewayUID).
std::string network_gateway_uid(const network_gateway& gw);

/// istiod's key for a network gateway, `<namespace>/<name>/<address>`: what split-horizon
/// workload uids embed, and what merges gateways across clusters.
std::string network_gateway_resource_name(const network_gateway& gw);

/// The Workload istiod sends for a network gateway (ambient/workloads.go, convertGateway): uid =
/// name = network_gateway_uid, the gateway's service account and namespace, its network, the
/// trust domain (empty for cluster.local, as pickTrustDomain), and the address as `addresses`
/// when it is an IP, else as `hostname`. No cluster, status, services or tunnel protocol.
istio::workload::Workload network_gateway_workload(const network_gateway& gw,
                                                   std::string_view trust_domain);

/// Points `out` at the gateway: `address {network, ip}` for an IP, else `hostname {namespace,
/// hostname}`; hbone_mtls_port is hbone_port, or default_hbone_port when unset.
void fill_gateway_address(const network_gateway& gw, istio::workload::GatewayAddress& out);

} // namespace ambient::mesh
