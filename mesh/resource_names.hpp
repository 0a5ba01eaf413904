#pragma once

#include <optional>
#include <string_view>

/// What kind of resource a name of the merged view is, from the name alone. istiod's names:
/// - a Service: `<namespace>/<hostname>` (exactly one '/': neither part may hold one);
/// - a pod's workload: `<cluster>//Pod/<namespace>/<name>`;
/// - an EndpointSlice endpoint's: `<cluster>/discovery.k8s.io/EndpointSlice/<ns>/<slice>/<ip>`;
/// - a network gateway's: `NetworkGateway/<network>/<address>/<port>`;
/// - a split-horizon workload: `<network>/SplitHorizonWorkload/...`.
namespace ambient::mesh {

enum class name_kind : uint8_t { service, cluster_workload, network_gateway, split_horizon, other };

/// The kind of `name`; `cluster` gets the cluster of a cluster_workload.
name_kind classify_name(std::string_view name, std::string_view* cluster = nullptr);

} // namespace ambient::mesh
