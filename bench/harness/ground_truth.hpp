#pragma once

#include <map>
#include <string>
#include <vector>

#include "bench/harness/processes.hpp"

namespace ambient::bench {

/// What a delta client holds, or must hold, of the two types ztunnel subscribes to: name →
/// serialized istio.workload.Address, and name → serialized istio.security.Authorization.
struct mesh_view {
  std::map<std::string, std::string> addresses;
  std::map<std::string, std::string> authorizations;
};

/// The merged view ambientd must serve, recomputed from the simulators' ground truth: every
/// object of every kind a cluster's informers watch (fleet::config_cluster_resources() for
/// cluster-1, the config cluster, so its AuthorizationPolicies and PeerAuthentications;
/// fleet::remote_cluster_resources() for the others), LISTed from each of `clusters`, decoded and
/// merged by mesh/ (a fresh mesh_index, each cluster synced once). A kind the API server does not
/// serve (404: its CRD is absent) counts as empty, as ambientd's informers count it. Throws
/// std::runtime_error when a LIST fails or an object does not decode.
mesh_view ground_truth(sim_process& sim, const std::vector<std::string>& clusters);

/// How two views differ: names only one side has, and names both have with other bytes (counted
/// over both types; the samples name the type).
struct view_diff {
  size_t missing = 0, extra = 0, different = 0;
  std::vector<std::string> samples;
  bool equal() const {
    return missing == 0 && extra == 0 && different == 0;
  }
  std::string text() const;
};

view_diff compare(const mesh_view& want, const mesh_view& got);

} // namespace ambient::bench
