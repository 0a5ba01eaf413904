#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "fleet/lifecycle.hpp"
#include "istio/workload/workload.pb.h"
#include "mesh/cluster_index.hpp"

namespace ambient::mesh {

/// What changed in the merged view: resources to (re)send, names to remove, the new version.
struct mesh_delta {
  std::vector<address_ptr> upserted;
  std::vector<std::string> removed;
  /// istio.security.Authorization resources to (re)send, and names to remove.
  std::vector<authorization_ptr> authorizations_upserted;
  std::vector<std::string> authorizations_removed;
  uint64_t version = 0;
  /// When the first change in this delta reached the aggregator (set by the actor shell; pure
  /// code leaves it empty). The publisher measures push latency from it.
  std::chrono::steady_clock::time_point received{};
  bool empty() const {
    return upserted.empty() && removed.empty() && authorizations_upserted.empty()
           && authorizations_removed.empty();
  }
};

/// The merged ambient view of every cluster, kept incrementally (design.md §2 rules 4 and 5):
/// - only clusters whose current incarnation has synced count (`synced`, and `stale`, whose
///   last-known-good contribution stays); a cluster that timed out and syncs later is admitted;
/// - a newer incarnation of a cluster is built aside and swapped in, in one delta, when it has
///   synced; until then, and when it fails, the older one stays (nothing good is lost);
/// - a withdrawn cluster leaves in one delta; a suspended one too, until it syncs again;
/// - services: the config cluster's copy is the base; another cluster's copy counts only when
///   its scope is GLOBAL; a LOCAL config-cluster service stays local; otherwise VIPs and SANs are
///   unioned (istiod's mergeServiceInfosWithCluster);
/// - workloads of the config cluster's network are sent as they are; those of another network
///   become one split-horizon workload per (network, global service) behind that network's first
///   gateway, with capacity = its endpoints there (createSplitHorizonWorkload);
/// - every merged network gateway (deduplicated by `<ns>/<name>/<address>`, the config cluster's
///   copy first) is a `NetworkGateway/<network>/<address>/<port>` workload, whatever its network;
///   ordinary pods carry their network's HBONE gateway as network_gateway;
/// - AuthorizationPolicies and PeerAuthentications come from the admitted config cluster only
///   (istiod's ambient index reads them there): its policy store gives the Authorization
///   resources, and every cluster's pods list the policies that select them; a policy change
///   recomputes only the pods of its namespace (every pod, for the root namespace);
/// - waypoints: each cluster binds its own Services and pods to its own Gateways' waypoints
///   (istiod's per-cluster waypoint collections), all reading the admitted config cluster's
///   GatewayClasses; a merged Service's waypoint is its base copy's.
/// Pure: no CAF, no I/O.
class mesh_index {
public:
  explicit mesh_index(std::shared_ptr<const mesh_config> config);

  /// An object of incarnation `generation` of `cluster_id` was added or updated.
  void upsert(const std::string& cluster_id, uint64_t generation, const kube::any_object& o);
  /// The same, keeping `o` without copying it.
  void upsert(const std::string& cluster_id, uint64_t generation, kube::any_object&& o);
  /// An object was deleted.
  void remove(const std::string& cluster_id, uint64_t generation, kube::resource_kind kind,
              const std::string& key);
  /// The incarnation reported a lifecycle state.
  void set_state(const std::string& cluster_id, uint64_t generation, fleet::lifecycle state);
  /// The cluster left the mesh: drop every incarnation up to `generation`.
  void withdraw(const std::string& cluster_id, uint64_t generation);
  /// The cluster's data was stale for too long (`--stale-cluster-limit`): its contribution leaves
  /// the view in one delta, but its objects are kept, so that its incarnation's next `synced` or
  /// `stale` re-admits it. A newer incarnation built aside takes the old one's place at once (the
  /// old one is gone: a newer one starts only after it stopped or died) and is admitted when it
  /// syncs. A cluster that is not admitted is left as it is.
  void suspend(const std::string& cluster_id);

  /// Brings the merged view up to date and returns what changed since the last call.
  mesh_delta take_delta();

  /// The merged view, by resource name.
  const std::map<std::string, address_ptr>& resources() const {
    return resources_;
  }
  uint64_t version() const {
    return version_;
  }
  /// The Authorization resources sent, by name.
  const std::map<std::string, authorization_ptr>& authorizations() const {
    return authorizations_;
  }
  /// Clusters whose contribution is in the view.
  std::vector<std::string> admitted_clusters() const;
  /// What the clusters' indexes left out of objects they used (mesh-wide counts since start, and
  /// the notes not yet taken), as of the last take_delta.
  skip_log& skips() {
    return skips_;
  }

  /// istiod's node authorizer, asked of the admitted incarnation of the query's cluster ("" allows,
  /// else the reason; a cluster not admitted refuses).
  std::string impersonation_refusal(const impersonation_query& q) const;
  /// Every admitted cluster's waypoints and the objects that name one (/debug/waypoints).
  waypoint_report report_waypoints() const;
  /// The merged view computed from scratch: every admitted cluster's index rebuilt from its
  /// objects, then merged. The oracle the incremental path is tested against, and the bench's
  /// full-recompute figure.
  std::map<std::string, address_ptr> recompute() const;

private:
  struct slot {
    uint64_t generation = 0;
    std::unique_ptr<cluster_index> current;
    bool admitted = false;
    uint64_t pending_generation = 0;
    std::unique_ptr<cluster_index> pending; ///< a newer incarnation, until it syncs
  };

  cluster_index* route(const std::string& cluster_id, uint64_t generation);
  std::unique_ptr<cluster_index> make_index(const std::string& cluster_id) const;
  void note_changes(index_changes&& c, bool remote_network);
  void note_everything_of(const cluster_index& idx);
  /// Takes every admitted cluster's changes (and skips) into the dirty sets.
  void take_cluster_changes();
  std::string local_network() const;
  /// The admitted clusters' network gateways, each `<ns>/<name>/<address>` once: the config
  /// cluster's first, then by cluster ID.
  std::vector<const network_gateway*> merged_gateways() const;
  /// Per network, the first merged gateway that carries HBONE (a port is set): what pods get.
  std::map<std::string, network_gateway> pod_gateways() const;
  address_ptr compute(const std::string& name, const std::string& local_network) const;
  address_ptr compute_workload(const std::string& uid, const std::string& local_network) const;
  address_ptr compute_service(const std::string& key) const;
  /// The resources derived from the clusters' together: split-horizon and network-gateway
  /// workloads.
  std::vector<address_ptr> derived_resources() const;
  std::map<std::string, address_ptr> compute_all() const;
  /// Takes the config cluster's policy changes: hands the policy index to every cluster (marking
  /// the pods whose lists may change) and notes the Authorization resources that moved.
  void take_policies(mesh_delta& out);
  /// Takes the config cluster's GatewayClasses to every cluster (only they mark waypoints).
  void take_gateway_classes();

  std::shared_ptr<const mesh_config> config_;
  std::map<std::string, slot, std::less<>> slots_;
  std::map<std::string, address_ptr> resources_;
  std::set<std::string> derived_names_; ///< the derived resources' names in resources_
  std::map<std::string, network_gateway> pod_gateways_;
  skip_log skips_;
  std::set<std::string> dirty_names_;
  /// Workloads to recompute, by a resource that carries the name, apart from dirty_names_ (a name
  /// in both is recomputed twice, to the same value): the bulk of every delta, moved here without
  /// a string copy or a tree insert each.
  std::vector<address_ptr> dirty_workloads_;
  /// The policies in effect, from the config cluster incarnation `policy_generation_` (nullopt:
  /// none admitted), and the Authorization resources sent.
  std::shared_ptr<const policy_index> policy_index_;
  std::optional<uint64_t> policy_generation_;
  std::map<std::string, authorization_ptr> authorizations_;
  /// The GatewayClasses every cluster's waypoints read, from the config cluster incarnation
  /// `class_generation_`.
  std::shared_ptr<const gateway_class_map> gateway_classes_;
  std::optional<uint64_t> class_generation_;
  bool dirty_derived_ = false;
  bool dirty_all_ = false;
  uint64_t version_ = 0;
};

} // namespace ambient::mesh
