#pragma once

#include <string>
#include <string_view>
#include <variant>
#include <vector>

/// Which cluster's API server reviews a caller's token, from the `clusterid` it sent, as istiod's
/// KubeJWT authenticator chooses (kube_jwt.go, getKubeClient). Here in fleet/ because the answer
/// depends on the fleet: the config cluster, its aliases and the remote clusters synced from
/// remote secrets.
namespace ambient::fleet {

/// The caller named a cluster ambientd does not know.
struct unknown_cluster {
  std::string message; ///< "unknown cluster \"X\"; known: a, b"
};

/// The cluster to send the review to:
/// - the config cluster when `cluster_id` is empty (a single-cluster caller), the config cluster's
///   own ID or one of `config_aliases`;
/// - else `cluster_id` itself when it is one of `synced_remote_ids`;
/// - else unknown_cluster, naming the known clusters (the config cluster first, then the remote
///   ones sorted; at most 10 listed). The caller's ID is quoted at most 64 bytes, control
///   characters replaced, since it is untrusted.
/// istiod's aliases map an alias to any cluster ID; ambientd's aliases name only the config
/// cluster, so an alias of a remote cluster is not resolved here.
std::variant<std::string, unknown_cluster>
choose_review_cluster(std::string_view cluster_id, std::string_view config_cluster_id,
                      const std::vector<std::string>& config_aliases,
                      const std::vector<std::string>& synced_remote_ids);

} // namespace ambient::fleet
