#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "istio/security/authorization.pb.h"
#include "mesh/authorization_types.hpp"

/// PeerAuthentication → istio.security.Authorization, as istiod 1.28.3's ambient index converts
/// it (pilot/pkg/serviceregistry/kube/controller/ambient/policies.go, `PolicyCollections`, and
/// authorization.go, `convertPeerAuthentication`). Mesh- and namespace-level policies never become
/// resources of their own: a workload in STRICT mode lists the static strict policy instead.
namespace ambient::mesh {

/// The name of the DENY-plaintext policy istiod sends whenever a PeerAuthentication exists.
inline constexpr std::string_view static_strict_policy_name = "istio_converted_static_strict";

/// The static strict policy: `<root_namespace>/istio_converted_static_strict`, WORKLOAD_SELECTOR,
/// DENY, one group denying connections without a principal (plaintext).
istio::security::Authorization static_strict_policy(const std::string& root_namespace);

/// `converted_peer_authentication_<pa_name>`, the resource name of a converted workload policy.
std::string converted_peer_authentication_name(std::string_view pa_name);

/// Whether `a` was created before `b`: the older policy of a level wins. Equal timestamps are
/// ordered by namespace then name (istiod keeps whichever it saw first; see
/// docs/authorization.md).
bool older(const peer_authentication& a, const peer_authentication& b);

/// The oldest policy of `pas` in `ns` without a selector (policies.go, `PeerAuthByNamespace`
/// and `getOldestPeerAuthn`); nullptr when there is none. `selector: {}` does not count here.
const peer_authentication* oldest_selectorless(const std::vector<peer_authentication>& pas,
                                               std::string_view ns);

/// The workload policy `pa` as a DENY resource for its port-level mTLS, given the oldest
/// selector-less policy of its namespace (`namespace_policy`) and of the root namespace
/// (`root_policy`), either nullptr when absent. nullopt when istiod sends nothing for it: `pa`
/// is in the root namespace, has no selector or no portLevelMtls, is STRICT on every port it
/// lists, or no port needs a rule.
std::optional<istio::security::Authorization> convert_peer_authentication(
    const peer_authentication& pa, const peer_authentication* namespace_policy,
    const peer_authentication* root_policy, const std::string& root_namespace);

/// Every resource istiod derives from `pas`: the static strict policy when `pas` is not empty,
/// then each converted workload policy, in the order of `pas`.
std::vector<istio::security::Authorization>
peer_authentication_resources(const std::vector<peer_authentication>& pas,
                              const std::string& root_namespace);

} // namespace ambient::mesh
