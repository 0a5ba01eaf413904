#pragma once

#include <cstdint>
#include <random>
#include <string>

#include "bench/harness/processes.hpp"

/// The security objects the chaos soak keeps in the config cluster, so its ground truth covers
/// Authorization resources and workloads' policy lists: the security.istio.io CRDs and, in a few
/// fixed slots, AuthorizationPolicies (ALLOW and DENY with a selector on the seeded apps' labels,
/// one namespace-wide, one in the root namespace istio-system, one that toggles
/// `istio.io/dry-run`) and selector-less PeerAuthentications (app-1's, and the mesh-wide one in
/// istio-system). Every variant stays inside what bench/harness/workload_oracle.hpp covers: no
/// targetRef, no workload-level or port-level PeerAuthentication, actions ALLOW and DENY only.
namespace ambient::bench {

/// Creates the CRDs and the first variant of every slot in cluster `cluster` (the config
/// cluster); throws std::runtime_error when the API server refuses one.
void add_security_objects(sim_process& sim, const std::string& cluster);

/// Puts one random slot into one of its variants: created, changed (selector, rule, mode or
/// annotation) or deleted. Returns what it did, for the action counts; throws
/// std::runtime_error when the API server refuses (a fault).
std::string churn_security_objects(sim_process& sim, const std::string& cluster, std::mt19937& rng);

} // namespace ambient::bench
