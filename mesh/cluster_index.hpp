#pragma once

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "istio/workload/workload.pb.h"
#include "kube/objects.hpp"
#include "mesh/context.hpp"
#include "mesh/discovery_filter.hpp"
#include "mesh/impersonation.hpp"
#include "mesh/index_skips.hpp"
#include "mesh/mesh_config.hpp"
#include "mesh/network_gateway.hpp"
#include "mesh/policy_store.hpp"
#include "mesh/resource.hpp"
#include "mesh/waypoint_report.hpp"
#include "mesh/waypoint_store.hpp"

namespace ambient::mesh {

/// A Service of one cluster as the merge needs it: the resource and its scope.
struct scoped_service {
  istio::workload::Service service;
  service_scope scope = service_scope::local;
};

/// Which outputs of a cluster_index may have changed since the last take_changes(): look each
/// name up to see its new value (absent = removed).
struct index_changes {
  /// The workloads whose resource changed, each once: the new resource, or the last one of a
  /// workload that is gone (it carries the name). No uid is copied on the way to the merge.
  std::vector<address_ptr> workloads;
  std::set<std::string> services; ///< "namespace/hostname"
  bool gateways = false;          ///< the cluster's network gateways
  bool network = false;           ///< the cluster's network (everything of it changed)
  bool empty() const {
    return workloads.empty() && services.empty() && !gateways && !network;
  }
};

/// The ambient index of ONE cluster incarnation: its decoded objects in, its contribution to the
/// mesh out (workloads by uid — pods and EndpointSlice endpoints —, services by
/// "namespace/hostname", network gateways, the cluster's network), kept up to date
/// incrementally. Each object change marks what it can affect (a Service marks the pods of its
/// namespace and its slices, a slice the pods it names, a Node the pods on it, a Namespace
/// everything in it, the system namespace's network label everything, a Gateway its waypoint's
/// referrers); take_changes()
/// recomputes only those and says which outputs moved. The discovery filter of the cluster hides
/// namespaces it does not admit. A remote cluster's pods and slices see only its GLOBAL services
/// (istiod's per-cluster service collection, with AMBIENT_ENABLE_MULTI_NETWORK). Pure: no CAF, no
/// I/O.
class cluster_index {
public:
  /// `ctx.network` is replaced by the system namespace's topology.istio.io/network label as soon
  /// as that namespace is seen (the config cluster's may also come from the mesh config).
  cluster_index(cluster_context ctx, std::shared_ptr<const mesh_config> config,
                std::string system_namespace = "istio-system");

  /// An object was added or updated.
  void upsert(const kube::any_object& object);
  /// An object was added or updated; the index keeps it without copying it.
  void upsert(kube::any_object&& object);
  /// An object was deleted (`key` is "namespace/name", or "name" for cluster-scoped kinds).
  void remove(kube::resource_kind kind, const std::string& key);
  /// Every informer has listed: the discovery filter opens.
  void on_synced();
  /// The gateway that carries HBONE into each network (network → gateway): the cluster's pods get
  /// their network's as network_gateway. Marks every pod when the cluster's network's changes.
  void set_pod_gateways(std::map<std::string, network_gateway> gateways);

  /// The policies the workloads list (the mesh's: the config cluster's policy store's index),
  /// and which namespaces' workloads that changes; marks their pods.
  void set_policies(std::shared_ptr<const policy_index> index, const policy_update& changed);
  /// This cluster's own AuthorizationPolicies and PeerAuthentications (only the config cluster's
  /// are watched), filtered by its discovery filter on take.
  policy_store& policies() {
    return policies_;
  }
  /// policy_store::take with this cluster's discovery filter.
  policy_update take_policies();

  /// The GatewayClasses every cluster's waypoints read (the config cluster's); marks every
  /// waypoint when they differ from the last ones.
  void set_gateway_classes(std::shared_ptr<const gateway_class_map> classes);
  /// This cluster's own GatewayClasses (only the config cluster watches them), and whether they
  /// changed since the last take_gateway_classes_changed().
  const gateway_class_map& gateway_classes() const {
    return gateway_classes_;
  }
  bool take_gateway_classes_changed() {
    return std::exchange(gateway_classes_changed_, false);
  }
  /// The cluster's waypoints, by "namespace/name", as of the last take_changes().
  const waypoint_map& waypoints() const {
    return waypoints_.waypoints();
  }
  /// How the Service or pod `key` ("namespace/name") binds its waypoint now (nullopt: no such
  /// object); for the operator view.
  std::optional<waypoint_binding> service_waypoint(const std::string& key) const;
  std::optional<waypoint_binding> pod_waypoint(const std::string& key) const;
  /// Adds this cluster's waypoints and the objects naming one to `out` (/debug/waypoints).
  void report_waypoints(waypoint_report& out) const;

  /// Recomputes what the changes since the last call affected; returns the outputs that moved.
  index_changes take_changes();

  /// Workloads as ready-to-send Address resources, by uid.
  const std::unordered_map<std::string, address_ptr>& workloads() const {
    return workloads_;
  }
  const std::map<std::string, scoped_service>& services() const {
    return services_;
  }
  const std::vector<network_gateway>& gateways() const {
    return gateways_;
  }
  /// For each service ("namespace/hostname"), how many of this cluster's workloads it selects:
  /// the capacity of its split-horizon workload seen from another network.
  const std::map<std::string, uint32_t>& endpoint_counts() const {
    return endpoint_counts_;
  }
  /// For each service, the identities (`namespace/service account`) of the workloads it selects,
  /// with counts: what a global service's SANs gain from another network's endpoints.
  const std::map<std::string, std::map<std::string, uint32_t>>& service_identities() const {
    return service_identities_;
  }
  const cluster_context& context() const {
    return ctx_;
  }
  /// What the index left out of objects it used, since the last take.
  skip_log& skips() {
    return skips_;
  }

  /// A new index built from scratch from this one's inputs (objects, sync), with every output
  /// computed: the oracle the incremental path is tested against.
  std::unique_ptr<cluster_index> rebuilt() const;

  /// istiod's node authorizer over this cluster's pods: "" when the caller's pod exists with the
  /// token's UID and service account and a pod of the target namespace and service account runs
  /// on the same node; else the reason.
  std::string impersonation_refusal(const impersonation_query& q) const;

private:
  /// A pod as the index keeps it: the object, its workload uid (computed once), and whether it
  /// waits in dirty_pods_.
  struct pod_record {
    kube::pod pod;
    std::string uid;
    bool dirty = false;
  };
  /// The services whose selector's first label is a given (key, value), by namespace.
  using selector_index
      = std::map<std::string, std::map<kube::string_map::value_type, std::set<std::string>>>;

  /// upsert() for a const or a movable object: pods are moved in when they can be.
  template <class Object>
  void upsert_object(Object&& object);
  /// Keeps `p` and marks it, unless it equals what the index holds (a resync changes nothing).
  void upsert_pod(kube::pod p);
  /// Marks one pod for recomputation (a deleted one too: its workload goes).
  void mark_pod(const std::string& key);
  /// Marks the pods of a namespace: what a Service change can affect (its selector).
  void mark_pods_of(const std::string& ns);
  /// Marks everything in a namespace: what a Namespace change or a filter change can affect.
  void mark_namespace(const std::string& ns);
  void mark_all();
  void recompute_service(const std::string& key, index_changes& out);
  void recompute_pod(const std::string& key, index_changes& out);
  void recompute_slice(const std::string& key, index_changes& out);
  void upsert_slice(kube::endpoint_slice s);
  void remove_slice(const std::string& key);
  /// Moves slice `key` in slices_by_service_ and slice_targets_ from `before` to `after` (either
  /// may be null: added, deleted), marking the pods whose binding changed.
  void index_slice(const kube::endpoint_slice* before, const kube::endpoint_slice* after,
                   const std::string& key);
  /// Marks the slices of a Service ("namespace/name") and the pods they name.
  void mark_slices_of(const std::string& service_key);
  /// The Service `key` ("namespace/name") if the cluster's service collection holds it: built
  /// (not ExternalName, VIPs valid), admitted, and GLOBAL when the cluster is a remote one.
  const kube::service* collected_service(const std::string& key) const;
  /// Makes `next` (nullptr: none) the workload `uid`, reporting it in `out` unless its bytes are
  /// those of the current one.
  void set_workload(const std::string& uid, address_ptr next, index_changes& out);
  /// Adds (`delta` > 0) or takes away `w` from the endpoint counts and identities of its services,
  /// reporting those services in `out`.
  void count_endpoint(const istio::workload::Workload& w, int delta, index_changes& out);
  void apply_filter(const filter_change& c);
  std::string network_of_system_namespace() const;

  cluster_context ctx_;
  std::shared_ptr<const mesh_config> config_;
  std::string system_namespace_;
  std::string configured_network_;
  discovery_filter filter_;

  // Inputs, by key.
  std::unordered_map<std::string, pod_record> pods_;
  std::map<std::string, kube::service> k8s_services_;
  std::map<std::string, kube::namespace_> namespaces_;
  std::map<std::string, kube::node> nodes_;
  std::map<std::string, kube::gateway> k8s_gateways_;
  std::map<std::string, std::set<std::string>> pods_by_namespace_;
  std::map<std::string, std::set<std::string>> pods_by_node_;
  std::map<std::string, std::set<std::string>> services_by_namespace_;
  std::unordered_map<std::string, kube::endpoint_slice> slices_;
  /// Slices by their Service's key ("namespace/name", from label kubernetes.io/service-name).
  std::map<std::string, std::set<std::string>> slices_by_service_;
  /// The pods slices name in a targetRef of kind Pod: pod key → {(slice key, the targetRef's
  /// uid)}. A pod lists a selector-less Service when one of its slices names it with its uid.
  std::map<std::string, std::set<std::pair<std::string, std::string>>> slice_targets_;
  std::map<std::string, network_gateway> pod_gateways_; ///< by network
  policy_store policies_;
  std::shared_ptr<const policy_index> policy_index_; ///< what workloads list; null: none yet
  gateway_class_map gateway_classes_;                ///< this cluster's own
  bool gateway_classes_changed_ = false;
  std::shared_ptr<const gateway_class_map> class_source_; ///< what the waypoints read
  waypoint_store waypoints_;
  /// Marks what depends on waypoint `key`: the objects and namespaces naming it, its instances.
  void mark_waypoint_referrers(const std::string& key);
  /// Marks what a Namespace update can change: everything in it (service scope comes from its
  /// labels), or, when only its waypoint labels moved, its Services, and its pods only when the
  /// waypoint it named or names now takes workload traffic.
  void mark_relabelled_namespace(const kube::namespace_& before, const kube::namespace_& after);
  /// bind_waypoint for a Service or pod of this cluster, counting a failed binding in skips_.
  waypoint_binding bind(const kube::object_meta& meta, waypoint_target target);
  skip_log skips_;
  /// Services by namespace and the first label of their selector: a pod looks up only the
  /// services one of its labels could satisfy, not every service of its namespace.
  selector_index services_by_selector_;
  void index_selector(const kube::service& s, const std::string& key, bool add);

  // What to recompute. A pod key is listed once while its record is dirty; the key of a deleted
  // pod may repeat (recomputing a pod twice changes nothing).
  std::vector<std::string> dirty_pods_;
  std::set<std::string> dirty_services_;
  std::set<std::string> dirty_slices_;
  bool dirty_gateways_ = false, dirty_all_ = false;

  // Outputs.
  std::unordered_map<std::string, address_ptr> workloads_; ///< by uid
  std::map<std::string, std::string> service_output_;      ///< k8s key → "ns/hostname"
  std::map<std::string, scoped_service> services_;         ///< by "ns/hostname"
  std::vector<network_gateway> gateways_;
  std::map<std::string, std::vector<std::string>> slice_uids_; ///< slice key → its workloads' uids
  std::map<std::string, uint32_t> endpoint_counts_;
  std::map<std::string, std::map<std::string, uint32_t>> service_identities_;
};

/// istiod's workload uid of a pod: `<cluster>//Pod/<namespace>/<name>` (`key` is "ns/name").
std::string pod_uid(std::string_view cluster_id, std::string_view key);

} // namespace ambient::mesh
