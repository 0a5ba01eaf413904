#pragma once

#include <functional>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "kube/objects.hpp"
#include "mesh/index_skips.hpp"
#include "mesh/waypoint.hpp"

namespace ambient::mesh {

/// GatewayClasses by name: the config cluster's, which every cluster's waypoints read (istiod's
/// GatewayClass collection is the local cluster's only: multicluster.go:57, waypoints.go:297).
using gateway_class_map = std::map<std::string, kube::gateway_class>;

/// What a waypoint store's recomputation reads besides what it indexes itself.
struct waypoint_inputs {
  const std::map<std::string, kube::gateway>& gateways; ///< by "namespace/name"
  const gateway_class_map& classes;
  /// Whether the discovery filter admits a namespace: a Gateway elsewhere is invisible.
  std::function<bool(const std::string&)> admits;
  /// The network an IP address of a waypoint is on (the cluster's).
  std::string_view network;
  /// False for a remote cluster without a network: istiod builds none of its waypoints
  /// (waypoints.go:310-314).
  bool keep = true;
  std::string_view cluster;
};

/// The waypoints of one cluster incarnation, kept incrementally, and who refers to them: the
/// objects (pods, Services) whose own istio.io/use-waypoint label names one, the namespaces whose
/// label does, and the pods that are instances of one (gateway-name label). take() recomputes the
/// marked Gateways' waypoints and says which changed, with the fields istiod's Waypoint.Equals
/// compares (waypoints.go:79-86); the caller then recomputes those waypoints' referrers. Pure.
class waypoint_store {
public:
  /// A pod was added or changed (`before` null: added) or deleted (`after` null).
  void on_pod(const std::string& key, const kube::pod* before, const kube::pod* after);
  /// A Service was added, changed or deleted, likewise.
  void on_service(const std::string& key, const kube::object_meta* before,
                  const kube::object_meta* after);
  /// A Namespace was added, changed or deleted, likewise.
  void on_namespace(const std::string& name, const kube::object_meta* before,
                    const kube::object_meta* after);
  /// A Gateway ("namespace/name") was added, changed or deleted.
  void mark(const std::string& key);
  /// Every Gateway: the classes, the network or the discovery filter changed.
  void mark_all();

  /// Recomputes the marked Gateways; returns the keys whose waypoint changed (added, removed or
  /// different).
  std::vector<std::string> take(const waypoint_inputs& in, skip_log& skips);

  const waypoint_map& waypoints() const {
    return waypoints_;
  }
  /// The pods and Services ("namespace/name") whose own label names waypoint `key`.
  const std::set<std::string>& pods_naming(const std::string& key) const;
  const std::set<std::string>& services_naming(const std::string& key) const;
  /// The namespaces whose label names waypoint `key`.
  const std::set<std::string>& namespaces_naming(const std::string& key) const;
  /// The pods whose gateway-name label makes them instances of `key`, with their service
  /// accounts.
  const std::map<std::string, std::string>& instances_of(const std::string& key) const;

private:
  using refs = std::map<std::string, std::set<std::string>>;
  static void move_ref(refs& r, const std::string& object, const std::string* before,
                       const std::string* after);

  waypoint_map waypoints_;
  refs pods_naming_, services_naming_, namespaces_naming_;
  /// Instances by waypoint key: pod key → its service account.
  std::map<std::string, std::map<std::string, std::string>> instances_;
  std::set<std::string> dirty_;
  bool dirty_all_ = false;
};

} // namespace ambient::mesh
