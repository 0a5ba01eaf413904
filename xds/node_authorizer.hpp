#pragma once

#include <set>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "mesh/impersonation.hpp"
#include "xds/caller_authenticator.hpp"

/// Who may ask the CA for another identity (istiod's node authorizer,
/// security/pkg/server/ca/node_auth.go): a trusted node agent (CA_TRUSTED_NODE_ACCOUNTS) that
/// authenticated with a token bound to its pod, for an identity one of the pods on its node runs
/// as. This part decides what can be decided from the call; the pods are the mesh index's.
namespace ambient::xds {

/// "namespace/service-account" entries; throws std::invalid_argument naming an entry that is not
/// two non-empty parts.
std::set<std::string> parse_trusted_node_accounts(const std::vector<std::string>& entries);

/// The pod query that settles `caller`'s request for `wanted`, or why it is refused without one:
/// the caller is not a trusted node account, it did not authenticate with a token bound to a pod,
/// or `wanted` is not an Istio SPIFFE identity.
std::variant<mesh::impersonation_query, std::string>
impersonation_query_for(const caller_verdict& caller, const std::string& wanted,
                        const std::set<std::string>& trusted);

} // namespace ambient::xds
