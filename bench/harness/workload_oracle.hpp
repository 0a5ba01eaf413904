#pragma once

#include <map>
#include <string>
#include <vector>

#include "bench/harness/processes.hpp"

namespace ambient::bench {

/// What a delta client must see of one ordinary (in-network) workload.
struct workload_fact {
  std::string cluster;
  std::string network;
  std::vector<std::string> addresses; ///< text form, in the Pod's order
  bool operator==(const workload_fact&) const = default;
};

/// uid → fact.
using workload_facts = std::map<std::string, workload_fact>;

/// The workloads a client must hold, computed straight from the API objects of `clusters`
/// (cluster-1 first: the config cluster) with the rules of docs/ambient-index.md, sharing no code
/// with mesh/ or kube/: every Pod with an IP that is neither Failed nor Succeeded, as
/// `<cluster>//Pod/<ns>/<name>`, with its podIPs and its cluster's network (the
/// topology.istio.io/network label of the cluster's istio-system, else "" as in the soak's mesh
/// config); every EndpointSlice endpoint that is not a Pod's, of a Service the cluster's
/// collection holds (a remote's: GLOBAL only), as
/// `<cluster>/discovery.k8s.io/EndpointSlice/<ns>/<slice>/<first address>`; both only in the
/// config cluster's network (others become split-horizon workloads); and every network Gateway's
/// IP address, of any network, as `NetworkGateway/<network>/<ip>/<port>` (no cluster).
/// Throws std::runtime_error when a LIST fails.
workload_facts expected_workloads(sim_process& sim, const std::vector<std::string>& clusters);

/// The ordinary workloads (with addresses) among the Address resources a client holds
/// (name → serialized istio.workload.Address), decoded by protobuf alone.
workload_facts held_workloads(const std::map<std::string, std::string>& held);

/// How two fact sets differ: "" when equal, else counts and a few names.
std::string workload_diff(const workload_facts& want, const workload_facts& got);

} // namespace ambient::bench
