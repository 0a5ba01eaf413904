#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "istio/workload/workload.pb.h"
#include "mesh/network_gateway.hpp"

namespace ambient::mesh {

/// The uid (and name) of a split-horizon workload:
/// `<network>/SplitHorizonWorkload/<gw namespace>/<gw name>/<gw address>/<svc
/// namespace>/<hostname>` (ambient/helpers.go, generateSplitHorizonWorkloadUID, given
/// NetworkGateway.ResourceName and the service's `namespace/hostname`).
std::string split_horizon_uid(const network_gateway& gw, const istio::workload::Service& svc);

/// The one workload that stands for all endpoints of global service `svc` in the gateway's
/// network, reached through that gateway, as istiod 1.28.3's createSplitHorizonWorkload
/// (ambient/multicluster.go): uid = name = split_horizon_uid, the service's namespace, the
/// gateway's network and cluster, tunnel HBONE, workload type POD, capacity `capacity` (the sum
/// of the endpoints' capacities, each 1 when unset), services `{"<ns>/<hostname>": svc's ports}`,
/// network_gateway from fill_gateway_address, and no addresses, service account, status or
/// canonical names. The trust domain is `trust_domain`, left empty when it is "cluster.local" (as
/// istiod's pickTrustDomain: ztunnel assumes that default).
istio::workload::Workload split_horizon_workload(const network_gateway& gw,
                                                 const istio::workload::Service& svc,
                                                 uint32_t capacity, std::string_view trust_domain);

} // namespace ambient::mesh
