#pragma once

#include <string>

/// What istiod's node authorizer (security/pkg/server/ca/node_auth.go) asks of a cluster's pods
/// before a node agent (ztunnel) gets a certificate for another identity.
namespace ambient::mesh {

/// A node agent asking for `target_namespace`/`target_service_account` from the pod its token is
/// bound to.
struct impersonation_query {
  std::string cluster_id; ///< the cluster whose API server reviewed the caller's token
  std::string caller_namespace;
  std::string caller_service_account;
  std::string caller_pod;     ///< the token's bound pod, in caller_namespace
  std::string caller_pod_uid; ///< as the TokenReview reported it
  std::string target_namespace;
  std::string target_service_account;
};

} // namespace ambient::mesh
