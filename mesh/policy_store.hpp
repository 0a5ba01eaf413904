#pragma once

#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "istio/security/authorization.pb.h"
#include "kube/objects.hpp"
#include "mesh/authorization_types.hpp"
#include "mesh/index_skips.hpp"
#include "mesh/workload_policies.hpp"

namespace ambient::mesh {

/// One istio.security.Authorization as ztunnel receives it, serialized once (deterministically)
/// and shared by everyone who holds or sends it. `name` is the xDS name, `<namespace>/<name>`.
struct authorization_resource {
  std::string name;
  istio::security::Authorization authorization;
  std::string bytes;
};

using authorization_ptr = std::shared_ptr<const authorization_resource>;

/// Makes a resource of `a`, named `<a.namespace>/<a.name>`.
authorization_ptr make_authorization(istio::security::Authorization a);

/// What one policy_store::take changed.
struct policy_update {
  /// The namespaces whose workloads' policy lists may have changed; `all`: every namespace (a
  /// root-namespace PeerAuthentication, a filter change of the root namespace, or a new source
  /// of policies).
  std::set<std::string> namespaces;
  bool all = false;
  /// Selectors of root-namespace AuthorizationPolicies that changed (before and after): the
  /// workloads of any namespace whose labels include one of them.
  std::vector<kube::string_map> selectors;
  bool empty() const {
    return namespaces.empty() && !all && selectors.empty();
  }
};

/// The AuthorizationPolicies and PeerAuthentications of one cluster, as istiod's ambient index
/// reads them from the config cluster: an object whose `istio.io/rev` label names another
/// revision is ignored (pkg/config/model.go, ObjectInRevision), one in a namespace the discovery
/// filter does not admit too (the informers' ObjectFilter). take() turns them into the
/// Authorization resources ztunnel receives (AuthorizationPolicies converted once per change,
/// PeerAuthentications merged as a set) and the policy_index workloads list theirs from. Pure.
class policy_store {
public:
  /// `revision` is istiod's revision ("" when it has none: every object passes).
  policy_store(std::string cluster_id, std::string root_namespace, std::string revision);

  void upsert(const authorization_policy& ap);
  void upsert(const peer_authentication& pa);
  /// An AuthorizationPolicy or PeerAuthentication (`kind`) with key "namespace/name" was deleted.
  void remove(kube::resource_kind kind, const std::string& key);
  /// Whether namespace `ns` is admitted may have changed.
  void mark_namespace(const std::string& ns);

  /// Whether anything changed since the last take.
  bool dirty() const {
    return changed_;
  }

  /// Recomputes the resources and the index if anything changed; `admits(ns)` is the discovery
  /// filter. Conversion problems (an unsupported action, fields ztunnel cannot enforce) are noted
  /// in skips() once per version of the policy.
  policy_update take(const std::function<bool(const std::string&)>& admits);

  /// The Authorization resources, by xDS name.
  const std::map<std::string, authorization_ptr>& resources() const {
    return resources_;
  }
  /// What workloads list their policies from; never null.
  const std::shared_ptr<const policy_index>& index() const {
    return index_;
  }
  /// How many objects of each kind are held (in revision), admitted or not.
  size_t authorization_policy_count() const {
    return aps_.size();
  }
  size_t peer_authentication_count() const {
    return pas_.size();
  }
  skip_log& skips() {
    return skips_;
  }
  /// Calls `f` with each policy held, AuthorizationPolicies first (what a rebuild upserts).
  template <class F>
  void each_object(F&& f) const {
    for (const auto& [key, rec] : aps_)
      f(rec.policy);
    for (const auto& [key, pa] : pas_)
      f(pa);
  }

private:
  /// An AuthorizationPolicy and what it converts to.
  struct ap_record {
    authorization_policy policy;
    authorization_ptr resource; ///< null: istiod sends nothing for it
  };

  bool in_revision(const kube::string_map& labels) const;
  void touch(const std::string& ns);
  /// An AuthorizationPolicy of `ns` changed from `before` to `after` (either may be nullptr: added,
  /// removed): a root-namespace one touches only the workloads its selectors can pick.
  void touch_policy(const std::string& ns, const authorization_policy* before,
                    const authorization_policy* after);

  std::string cluster_id_, root_, revision_;
  std::map<std::string, ap_record> aps_;
  std::map<std::string, peer_authentication> pas_;
  std::set<std::string> dirty_namespaces_;
  std::vector<kube::string_map> dirty_selectors_;
  /// Something changed since the last take, whether or not any workload's list can move (a
  /// policy no workload lists still changes the resources).
  bool changed_ = true; // the first take publishes the (empty) index
  bool dirty_all_ = false;
  std::map<std::string, authorization_ptr> resources_;
  std::shared_ptr<const policy_index> index_;
  skip_log skips_;
};

} // namespace ambient::mesh
