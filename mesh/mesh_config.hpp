#pragma once

#include "kube/objects.hpp"
#include "mesh/label_selector.hpp"

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace ambient::mesh {

/// Whether a Service is seen by other clusters (global) or only by its own (local).
enum class service_scope : uint8_t { local, global };

/// A MeshConfig `serviceScopeConfigs` entry: Services matching both selectors get `scope`. An
/// absent selector is stored empty: istiod treats a nil selector as Everything here.
struct service_scope_config {
  label_selector namespace_selector;
  label_selector services_selector;
  service_scope scope = service_scope::local; ///< The proto default, LOCAL.
  bool operator==(const service_scope_config&) const = default;
};

/// Istio's ambient profile default (`manifests/helm-profiles/ambient.yaml`): Services labelled
/// `istio.io/global=true` are GLOBAL.
std::vector<service_scope_config> default_service_scope_configs();

/// ambientd's mesh config: the parts of Istio's MeshConfig it uses, the config cluster's identity
/// and, beyond istiod, per-cluster discovery selectors (istio/istio#54402).
struct mesh_config {
  std::string trust_domain = "cluster.local";   ///< trustDomain
  std::string cluster_domain = "cluster.local"; ///< clusterDomain
  std::string cluster_id = "Kubernetes";        ///< clusterId: the config cluster's ID
  std::string network;                          ///< network: the config cluster's network
  /// rootNamespace: its AuthorizationPolicies and PeerAuthentications apply mesh-wide.
  std::string root_namespace = "istio-system";
  /// istiod's revision (`--revision`, not from the YAML): AuthorizationPolicies and
  /// PeerAuthentications labelled `istio.io/rev` with another revision are ignored. "": none.
  std::string revision;
  /// discoverySelectors: namespaces whose labels match any entry are discovered; none = all.
  std::vector<label_selector> discovery_selectors;
  /// serviceScopeConfigs; the ambient profile default when the key is absent.
  std::vector<service_scope_config> service_scope_configs = default_service_scope_configs();
  /// clusterDiscoverySelectors: cluster ID → selectors replacing discovery_selectors for it.
  std::map<std::string, std::vector<label_selector>, std::less<>> cluster_discovery_selectors;
  bool operator==(const mesh_config&) const = default;
};

/// Parses ambientd's mesh config from YAML (camelCase keys as in Istio's MeshConfig). An empty
/// document gives the defaults. Unknown keys, wrong types and invalid selectors are refused with a
/// message naming the field path; never throws.
std::variant<mesh_config, config_error> parse_mesh_config(std::string_view yaml);

/// The discovery selectors of cluster `cluster_id`: its clusterDiscoverySelectors entry when there
/// is one (even an empty list, which discovers every namespace), else discoverySelectors.
const std::vector<label_selector>& selectors_for(const mesh_config& config,
                                                 std::string_view cluster_id);

/// The scope of a Service with `service_labels` in a namespace with `namespace_labels` (from the
/// Service's own cluster), as istiod's matchServiceScope: GLOBAL when any serviceScopeConfigs
/// entry matching both the namespace and the Service says GLOBAL, else LOCAL. A matching LOCAL
/// entry does not stop the search. istiod also answers LOCAL when the Namespace object is not
/// known; callers without the namespace must do the same.
service_scope scope_of(const mesh_config& config, const kube::string_map& namespace_labels,
                       const kube::string_map& service_labels);

} // namespace ambient::mesh
