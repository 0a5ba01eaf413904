#pragma once

#include <string>
#include <string_view>
#include <vector>

/// istiod's check that an authenticated xDS client asks as itself (pilot/pkg/xds/auth.go): one
/// of the caller's SPIFFE identities must be in the namespace its node claims, and be the service
/// account its node metadata names when it names one. Applied to the first request of a stream.
namespace ambient::xds {

/// What the first request's node claims.
struct node_claim {
  std::string id;              ///< Node.id, "<type>~<ip>~<pod>.<ns>~<ns>.svc.<domain>"
  std::string namespace_;      ///< metadata NAMESPACE ("" when not sent)
  std::string service_account; ///< metadata SERVICE_ACCOUNT ("" when not sent; ztunnel sends none)
};

/// The namespace a node's configuration belongs to: metadata NAMESPACE, else the first label of
/// the node id's DNS domain (its fourth '~' part) when that has more than one label, else "".
std::string config_namespace(const node_claim& node);

/// "" when one of `spiffe_ids` (parsed as Istio identities; others are skipped) matches the
/// node's config namespace (unless that is empty) and its SERVICE_ACCOUNT (unless empty); else the
/// reason, naming the identities and what the node claimed.
std::string node_identity_refusal(const std::vector<std::string>& spiffe_ids,
                                  const node_claim& node);

} // namespace ambient::xds
