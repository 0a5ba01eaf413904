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
  /// Workload.authorization_policies, in order (bench/harness/policy_oracle.hpp): a Pod's from the
  /// config cluster's policies; empty for EndpointSlice and NetworkGateway workloads.
  std::vector<std::string> authorization_policies;
  /// Workload.waypoint as `<ns>/<hostname>:<port>` or `<ip>@<network>:<port>`, and
  /// application_tunnel as `<PROTOCOL>/<port>` ("" when unset): a Pod's from
  /// bench/harness/waypoint_oracle.hpp; empty for the other workloads.
  std::string waypoint, tunnel;
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
/// IP address, of any network, as `NetworkGateway/<network>/<ip>/<port>` (no cluster). Each Pod
/// lists the config cluster's policies that apply to it (policy_oracle, whose header says which
/// cases it covers) unless `with_policies` is false, and carries its waypoint fields
/// (waypoint_oracle) unless `with_waypoints` is false (the controls that must differ).
/// Throws std::runtime_error when a LIST fails.
workload_facts expected_workloads(sim_process& sim, const std::vector<std::string>& clusters,
                                  bool with_policies = true, bool with_waypoints = true);

/// The ordinary workloads (with addresses) among the Address resources a client holds
/// (name → serialized istio.workload.Address), with their policy lists, decoded by protobuf alone.
workload_facts held_workloads(const std::map<std::string, std::string>& held);

/// How two fact sets differ: "" when equal, else counts and a few names.
std::string workload_diff(const workload_facts& want, const workload_facts& got);

} // namespace ambient::bench
