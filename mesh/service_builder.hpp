#pragma once

#include <optional>

#include "istio/workload/workload.pb.h"
#include "kube/objects.hpp"
#include "mesh/context.hpp"

namespace ambient::mesh {

/// The istio.workload Service ztunnel sees for one cluster's Kubernetes Service, as istiod 1.28.3
/// builds it (ambient/services.go, serviceServiceBuilder and constructService):
/// - hostname `<name>.<namespace>.svc.<cluster_domain>`;
/// - one address `{ctx.network, ip}` per cluster IP (spec.clusterIPs, else spec.clusterIP); "None"
///   (headless) and "" give none; external and load-balancer IPs are never VIPs;
/// - ports `{port, numeric targetPort}`, target port 0 when targetPort names a container port;
/// - no subject alt names: istiod fills them only for ServiceEntries, and for global services
///   later, from the remote workloads' identities;
/// - load balancing: internalTrafficPolicy Local → STRICT [NODE]; otherwise
/// spec.trafficDistribution
///   (or the annotation networking.istio.io/traffic-distribution) PreferClose or PreferSameZone →
///   FAILOVER [NETWORK, REGION, ZONE] and PreferSameNode → FAILOVER [NETWORK, REGION, ZONE,
///   SUBZONE, NODE]; publishNotReadyAddresses adds health policy ALLOW_ALL;
/// - ip families from spec.ipFamilies: two → DUAL, "IPv4" → IPV4_ONLY, another one → IPV6_ONLY,
///   none → AUTOMATIC.
///
/// Returns nullopt, as istiod, for an ExternalName Service (ztunnel leaves those to upstream DNS)
/// and for a Service with a cluster IP that does not parse as an IP address.
///
/// Not decided here: the service scope (remote services that are not global are dropped by the
/// caller), the waypoint binding, and the cross-cluster merge of VIPs and SANs.
std::optional<istio::workload::Service> build_service(const kube::service& s,
                                                      const cluster_context& ctx);

/// The names istiod keeps for service port number `port`, which must be a port of `svc`: a map
/// keyed by port number, so when two ports share a number (TCP and UDP 53) the last one's names
/// win (services.go:240-246).
const kube::service_port& port_names_of(const kube::service& svc, int32_t port);

} // namespace ambient::mesh
