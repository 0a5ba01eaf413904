#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kube/objects.hpp"
#include "mesh/authorization_types.hpp"

/// `Workload.authorization_policies`, as istiod 1.28.3 builds it (workloads.go,
/// `buildWorkloadPolicies`, `fetchPeerAuthentications`; authorization.go,
/// `convertedSelectorPeerAuthentications`). Implicit waypoint policies are not listed: istiod adds
/// them only with PILOT_AUTO_ALLOW_WAYPOINT_POLICY, which is off by default.
namespace ambient::mesh {

/// The policies every workload list is computed from, grouped by namespace so one workload's list
/// looks only at its own namespace and the root namespace. Build it once per policy change, then
/// ask it for every workload.
class policy_index {
public:
  explicit policy_index(std::string root_namespace);

  /// Records an AuthorizationPolicy; `converted` is whether convert_authorization_policy gave it a
  /// resource. Only converted policies with a non-empty selector can be listed.
  void add_authorization_policy(const authorization_policy& ap, bool converted);

  /// Records a PeerAuthentication.
  void add_peer_authentication(const peer_authentication& pa);

  /// The names (`<namespace>/<name>`) a workload in `ns` with `labels` lists: the selector
  /// AuthorizationPolicies of `ns` and of the root namespace that select it, sorted; then the
  /// converted port-level PeerAuthentication or the static strict policy its effective mTLS mode
  /// calls for.
  std::vector<std::string> workload_policies(std::string_view ns,
                                             const kube::string_map& labels) const;

  /// The PeerAuthentication part of workload_policies alone.
  std::vector<std::string> peer_authentication_keys(std::string_view ns,
                                                    const kube::string_map& labels) const;

  /// Whether two indexes give every workload the same list (same policies, same root).
  bool operator==(const policy_index&) const = default;

private:
  /// A listable AuthorizationPolicy: its resource name and non-empty selector.
  struct selector_policy {
    std::string key;
    kube::string_map selector;
    bool operator==(const selector_policy&) const = default;
  };
  /// The PeerAuthentications of one namespace, each list oldest first.
  struct namespace_pas {
    std::vector<peer_authentication> no_selector;    ///< selector absent.
    std::vector<peer_authentication> empty_selector; ///< `selector: {}`.
    std::vector<peer_authentication> with_selector;  ///< non-empty matchLabels.
    bool operator==(const namespace_pas&) const = default;
  };

  std::string root_;
  std::map<std::string, std::vector<selector_policy>, std::less<>> policies_;
  std::map<std::string, namespace_pas, std::less<>> pas_;
};

/// Whether every pair of `selector` is in `labels` (both sorted by key).
bool is_subset(const kube::string_map& selector, const kube::string_map& labels);

} // namespace ambient::mesh
