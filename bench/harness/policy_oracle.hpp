#pragma once

#include <map>
#include <string>
#include <vector>

#include "bench/harness/processes.hpp"

namespace ambient::bench {

/// The part of the independent oracle that lists a pod's policies (Workload
/// .authorization_policies), computed straight from the config cluster's AuthorizationPolicy and
/// PeerAuthentication JSON with istiod's rule, sharing no code with mesh/ or kube/. It covers only
/// the cases the chaos soak creates (bench/harness/chaos_policies.hpp):
/// - AuthorizationPolicies with action ALLOW, DENY or none (ALLOW); any other action is skipped
///   (istiod sends no resource for it). Skipped too: annotation `istio.io/dry-run` true as Go's
///   strconv.ParseBool reads it, and any `spec.targetRef`/`spec.targetRefs`. Listed when
///   `spec.selector.matchLabels` is non-empty and a subset of the pod's labels, and the policy is
///   in the pod's namespace or the root namespace istio-system; `matchExpressions` is not read
///   (the soak writes none), and a selector with no matchLabels is never listed.
/// - PeerAuthentications without `spec.selector` (namespace-wide, and mesh-wide in istio-system),
///   mode `spec.mtls.mode`: the oldest (creationTimestamp, then name) of a namespace counts. The
///   pod's effective mode is its namespace's mode unless absent or UNSET, else the mesh-wide one;
///   STRICT appends `istio-system/istio_converted_static_strict`. Workload-level (selector) and
///   port-level PeerAuthentications are not covered (their converted policies are not computed).
/// - No revision (`istio.io/rev`) and no discovery selectors, as the soak's ambientd runs.
class policy_oracle {
public:
  /// Reads the policies of `config_cluster` (a kind not served counts as none); throws
  /// std::runtime_error when a LIST fails.
  policy_oracle(sim_process& sim, const std::string& config_cluster);

  /// The list a pod in namespace `ns` with `labels` carries: the sorted `<ns>/<name>` of the
  /// AuthorizationPolicies that select it, then the static strict policy when its mode is STRICT.
  std::vector<std::string> policies_for(const std::string& ns,
                                        const std::map<std::string, std::string>& labels) const;

private:
  struct selector_policy {
    std::string ns, key;
    std::map<std::string, std::string> match_labels;
  };
  std::vector<selector_policy> selectors_; ///< sorted by key
  /// Namespace → the mode of its oldest selector-less PeerAuthentication ("" when it has none).
  std::map<std::string, std::string> modes_;
};

} // namespace ambient::bench
