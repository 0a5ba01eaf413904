#pragma once

#include <string>
#include <vector>

#include "mesh/policy_store.hpp"
#include "mesh/resource.hpp"

namespace ambient::admin {

/// /debug/policies: a JSON array of the Authorization resources served, in name order: name
/// (`<ns>/<name>`, the xDS name), namespace, scope (GLOBAL, NAMESPACE or WORKLOAD_SELECTOR),
/// action (ALLOW or DENY), groups (how many), and workloads: the uids, sorted, of the workloads
/// of `resources` whose authorization_policies list the policy. GLOBAL and NAMESPACE policies are
/// applied by ztunnel by scope and listed by no workload, so their workloads are empty.
std::string policies_json(const std::vector<mesh::authorization_ptr>& authorizations,
                          const std::vector<mesh::address_ptr>& resources);

} // namespace ambient::admin
