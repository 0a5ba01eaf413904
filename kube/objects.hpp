#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "kube/object_meta.hpp"
#include "kube/security_objects.hpp"

/// Compact Kubernetes objects: only the fields the mesh needs, decoded once from the API server's
/// JSON (kube/decode.hpp). Raw JSON is never kept in them.
namespace ambient::kube {

/// An entry of `metadata.ownerReferences`.
struct owner_ref {
  std::string kind, name;
  bool controller = false;
  bool operator==(const owner_ref&) const = default;
};

/// A declared container port (`spec.containers[].ports[]`): resolves named service target ports.
struct container_port {
  std::string name;
  int32_t port = 0;
  std::string protocol;
  bool operator==(const container_port&) const = default;
};

/// A Pod: a workload candidate.
struct pod {
  object_meta meta;
  std::string generate_name; ///< metadata.generateName: set on pods a controller created.
  std::string node_name, service_account, phase;
  std::string pod_ip;               ///< status.podIP
  std::vector<std::string> pod_ips; ///< status.podIPs[].ip; {podIP} when only podIP is set.
  std::string host_ip;
  bool host_network = false;
  bool ready = false; ///< The condition Ready has status "True".
  std::vector<owner_ref> owners;
  std::vector<container_port> ports; ///< Ports of every container, in order.
  bool operator==(const pod&) const = default;
};

/// A Service port. `targetPort` is a number or a port name; absent, it defaults to `port` (the
/// API server's own default).
struct service_port {
  std::string name, protocol, app_protocol;
  int32_t port = 0;
  int32_t target_port_number = 0;
  std::string target_port_name;
  bool operator==(const service_port&) const = default;
};

/// A Service.
struct service {
  object_meta meta;
  std::string type, cluster_ip;
  std::vector<std::string> cluster_ips; ///< spec.clusterIPs; {clusterIP} when only that is set.
  std::vector<std::string> ip_families, external_ips;
  string_map selector;
  std::vector<service_port> ports;
  std::string internal_traffic_policy, traffic_distribution;
  std::string external_name;                ///< spec.externalName (type ExternalName)
  bool publish_not_ready_addresses = false; ///< Makes the load-balancing health policy ALLOW_ALL.
  bool headless = false;                    ///< clusterIP "None".
  bool operator==(const service&) const = default;
};

/// A Namespace: its labels feed discovery selectors, service scope and the cluster network.
struct namespace_ {
  object_meta meta;
  bool terminating = false; ///< status.phase is "Terminating": it is being deleted
  bool operator==(const namespace_&) const = default;
};

/// A Node: its labels carry the topology (region, zone, subzone).
struct node {
  object_meta meta;
  std::string internal_ip; ///< The first status.addresses entry of type InternalIP.
  bool operator==(const node&) const = default;
};

/// An EndpointSlice (discovery.k8s.io/v1).
struct endpoint_slice {
  object_meta meta;
  std::string service_name; ///< The label kubernetes.io/service-name.
  std::string address_type;

  /// One endpoint. An absent `conditions.ready` means ready, as the API defines.
  struct endpoint {
    std::vector<std::string> addresses;
    bool ready = true;
    std::string node_name;
    /// targetRef's kind, namespace, name and uid ("" when absent, or no targetRef).
    std::string target_kind, target_namespace, target_name, target_uid;
    bool operator==(const endpoint&) const = default;
  };
  std::vector<endpoint> endpoints;

  /// One port. Absent fields stay nullopt (a real API server defaults name to "" and protocol to
  /// TCP, so only hand-fed objects lack them); port 0 means unset.
  struct port {
    std::optional<std::string> name, protocol;
    int32_t port = 0;
    bool operator==(const endpoint_slice::port&) const = default;
  };
  std::vector<port> ports;
  bool operator==(const endpoint_slice&) const = default;
};

/// A Secret. Holds key material: never log `data`.
struct secret {
  object_meta meta;
  std::string type;
  std::vector<std::pair<std::string, std::string>> data; ///< base64-decoded values, sorted by key.
  bool operator==(const secret&) const = default;
};

/// A ConfigMap (its `data`; `binaryData` is not decoded).
struct config_map {
  object_meta meta;
  string_map data;
  bool operator==(const config_map&) const = default;
};

/// A Lease (coordination.k8s.io/v1), for leader election. Times stay RFC 3339 strings.
struct lease {
  object_meta meta;
  std::string holder_identity, acquire_time, renew_time;
  int32_t lease_duration_seconds = 0, lease_transitions = 0;
  bool operator==(const lease&) const = default;
};

/// A Kubernetes LabelSelector as written (metav1.LabelSelector): nothing is validated here; the
/// mesh layer builds a mesh::label_selector from it, refusing what apimachinery refuses.
struct raw_label_selector {
  /// One matchExpressions entry; `op` is the operator as written ("In", "NotIn", ...).
  struct requirement {
    std::string key, op;
    std::vector<std::string> values;
    bool operator==(const requirement&) const = default;
  };
  string_map match_labels;
  std::vector<requirement> match_expressions;
  bool operator==(const raw_label_selector&) const = default;
};

/// A Gateway (gateway.networking.k8s.io): network gateways for multi-network meshes, and
/// waypoints.
struct gateway {
  object_meta meta;
  std::string gateway_class;

  /// A listener; `tls_mode` is spec.listeners[].tls.mode ("Terminate", "Passthrough" or empty).
  /// `routes_from` and `routes_selector` are allowedRoutes.namespaces.from ("" when absent) and
  /// .selector (nullopt when absent); `has_route_namespaces` says whether
  /// allowedRoutes.namespaces is there at all.
  struct listener {
    listener() = default;
    listener(std::string n, std::string p, int32_t port_number, std::string tls = {})
      : name(std::move(n)), protocol(std::move(p)), port(port_number), tls_mode(std::move(tls)) {
      // nop
    }
    std::string name, protocol;
    int32_t port = 0;
    std::string tls_mode;
    bool has_route_namespaces = false;
    std::string routes_from;
    std::optional<raw_label_selector> routes_selector;
    bool operator==(const listener&) const = default;
  };
  std::vector<listener> listeners;

  /// A status.addresses entry: `type` is "IPAddress", "Hostname", another type, or "" when absent.
  struct address {
    std::string type, value;
    bool operator==(const address&) const = default;
  };
  std::vector<address> addresses;
  bool operator==(const gateway&) const = default;
};

/// A GatewayClass (gateway.networking.k8s.io/v1, cluster-scoped). istiod's ambient index reads
/// only its labels (istio.io/waypoint-for) and annotations (the inbound binding); the controller
/// name is kept for display.
struct gateway_class {
  object_meta meta;
  std::string controller_name;
  bool operator==(const gateway_class&) const = default;
};

/// The resources ambientd's informers watch. The order is the kind table's (kube/kind_table.cpp)
/// and any_object's.
enum class resource_kind : uint8_t {
  namespaces,
  pods,
  services,
  nodes,
  endpoint_slices,
  secrets,
  config_maps,
  leases,
  gateways,
  authorization_policies, ///< security.istio.io/v1, on the config cluster only
  peer_authentications,   ///< security.istio.io/v1, on the config cluster only
  gateway_classes,        ///< gateway.networking.k8s.io/v1, on the config cluster only
};

/// Any decoded object an informer can hold; alternative i is the object of resource_kind i.
using any_object
    = std::variant<namespace_, pod, service, node, endpoint_slice, secret, config_map, lease,
                   gateway, authorization_policy, peer_authentication, gateway_class>;

namespace detail {

template <class T, class... Ts>
constexpr size_t index_in(const std::variant<Ts...>*) {
  constexpr bool same[] = {std::is_same_v<T, Ts>...};
  for (size_t i = 0; i < sizeof...(Ts); ++i)
    if (same[i])
      return i;
  return sizeof...(Ts);
}

} // namespace detail

/// The kind of an object type, e.g. kind_of<pod> == resource_kind::pods.
template <class T>
constexpr resource_kind kind_of
    = static_cast<resource_kind>(detail::index_in<T>(static_cast<const any_object*>(nullptr)));

/// One change of a collection, in the order it happened: what an informer hands on.
struct change {
  enum type_t : uint8_t { added, modified, deleted } type;
  std::string key; ///< "namespace/name", or "name" for cluster-scoped objects
  std::string resource_version;
  /// The decoded object; empty for deletes (a tombstone: the object's final state is unknown when
  /// the delete happened while nobody watched).
  std::optional<any_object> object;
};

} // namespace ambient::kube
