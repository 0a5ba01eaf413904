#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "istio/workload/workload.pb.h"
#include "kube/objects.hpp"
#include "mesh/index_skips.hpp"
#include "mesh/label_selector.hpp"

/// Waypoints as istiod 1.28.3's ambient index derives them from Gateway API Gateways, and how a
/// Service or a workload binds one (pilot/pkg/serviceregistry/kube/controller/ambient/
/// waypoints.go; line numbers below are of that tag). Pure: no state, no I/O.
namespace ambient::mesh {

inline constexpr std::string_view use_waypoint_label = "istio.io/use-waypoint";
inline constexpr std::string_view use_waypoint_namespace_label = "istio.io/use-waypoint-namespace";
inline constexpr std::string_view waypoint_for_label = "istio.io/waypoint-for";
inline constexpr std::string_view gateway_name_label = "gateway.networking.k8s.io/gateway-name";
inline constexpr std::string_view gateway_managed_label = "gateway.istio.io/managed";
inline constexpr std::string_view ingress_use_waypoint_label = "istio.io/ingress-use-waypoint";
inline constexpr std::string_view inbound_binding_annotation
    = "ambient.istio.io/waypoint-inbound-binding";
/// The HBONE port of every waypoint address: istiod hard-codes it (waypoints.go:550, :569).
inline constexpr uint32_t waypoint_hbone_port = 15008;

/// Where ztunnel reaches a waypoint: a hostname in the Gateway's namespace, or an IP address on a
/// network (`ip` holds the 4 or 16 bytes).
struct waypoint_address {
  bool is_hostname = false;
  std::string namespace_or_network; ///< the Gateway's namespace, or the network of the IP
  std::string value;                ///< the hostname, or the IP's bytes
  bool operator==(const waypoint_address&) const = default;
};

/// The GatewayAddress ztunnel gets for `a`: the hostname or address, and HBONE port 15008.
void fill_gateway_address(const waypoint_address& a, istio::workload::GatewayAddress& out);

/// ambient.istio.io/waypoint-inbound-binding, parsed (waypoints.go:346-401).
struct inbound_binding {
  istio::workload::ApplicationTunnel::Protocol protocol = istio::workload::ApplicationTunnel::NONE;
  uint32_t port = 0;
  bool operator==(const inbound_binding&) const = default;
};

/// Which namespaces may bind a waypoint: its listener's allowedRoutes.namespaces
/// (waypoints.go:439-534). A `selector` rule without a valid selector matches nothing.
struct attachment_rule {
  enum class source : uint8_t { same, all, selector };
  source from = source::same;
  std::optional<label_selector> selector;
  bool operator==(const attachment_rule&) const = default;
};

/// The traffic a waypoint takes (istio.io/waypoint-for): compared with "service", "workload" and
/// "all"; any other value (e.g. "none") binds nothing.
struct waypoint {
  std::string namespace_, name;
  std::optional<waypoint_address> address; ///< nullopt: no usable status address yet
  std::string traffic_type = "service";
  std::optional<inbound_binding> binding;
  attachment_rule attach;
  std::vector<std::string> service_accounts; ///< of its instances (pods), sorted
  std::string gateway_class;                 ///< for display
  std::string key() const {
    return namespace_ + "/" + name;
  }
  /// Whether objects of namespace `ns` (with labels `ns_labels`) may bind this waypoint.
  bool allows(std::string_view ns, const kube::string_map& ns_labels) const;
  bool operator==(const waypoint&) const = default;
};

/// The waypoint of a Gateway with at least one status address, or nullopt (istiod's "not ready";
/// waypoints.go:219-258, the same rule for a remote cluster's Gateways at :260-322). Neither the
/// class name nor the listeners decide it. `cls` is the Gateway's GatewayClass from the config
/// cluster (null: none of that name). The traffic type is "service", else the class's
/// istio.io/waypoint-for label, else the Gateway's. An IP address is put on `network`.
/// `service_accounts` are those of its instances. What it cannot use (a class that does not
/// exist, no usable address, an IP that does not parse, a binding annotation it refuses, an
/// allowedRoutes selector that is not valid) is counted in `skips` under `cluster`.
std::optional<waypoint> make_waypoint(const kube::gateway& gw, const kube::gateway_class* cls,
                                      std::string_view network,
                                      std::vector<std::string> service_accounts, skip_log& skips,
                                      std::string_view cluster);

/// Why an object labelled for a waypoint has none (istiod's WaypointBound condition reasons).
enum class binding_error : uint8_t { none, not_ready, attachment_denied, unsupported_traffic };

/// The condition reason istiod writes: "WaypointIsNotReady", "AttachmentDenied",
/// "UnsupportedTrafficType" ("" for none).
std::string_view to_string(binding_error e);

/// The kind of object binding: a Service needs traffic type service or all, a workload workload
/// or all.
enum class waypoint_target : uint8_t { service, workload };

/// The outcome of binding one object.
struct waypoint_binding {
  const waypoint* bound = nullptr; ///< the waypoint, when bound
  std::string named;               ///< "ns/name" the labels named ("" when none)
  binding_error error = binding_error::none;
  /// The named waypoint when it exists, bound or not (its traffic type says why not).
  const waypoint* found = nullptr;
};

/// The cluster's waypoints by "namespace/name".
using waypoint_map = std::map<std::string, waypoint>;

/// The waypoint key ("ns/name") an object's own labels name: istio.io/use-waypoint, in
/// istio.io/use-waypoint-namespace or else `default_ns`. nullopt when there is no use-waypoint
/// label or it is "none" (getUseWaypoint, waypoints.go:196-213).
std::optional<std::string> named_waypoint(const kube::string_map& labels,
                                          std::string_view default_ns);

/// Binds the object with metadata `meta` in namespace `ns` (null: unknown) as istiod's
/// fetchWaypointForService / fetchWaypointForWorkload (waypoints.go:100-190): the object's own
/// label first, then its namespace's; "none" or a failure never falls back to the namespace.
/// Services managed by the mesh or east-west controllers never bind.
waypoint_binding bind_waypoint(const kube::object_meta& meta, const kube::namespace_* ns,
                               const waypoint_map& waypoints, waypoint_target target);

/// The waypoint `meta` is an instance of: the one its gateway-name label names in its own
/// namespace, if that waypoint exists (fetchWaypointForInstance, waypoints.go:91-97).
const waypoint* waypoint_instance_of(const kube::object_meta& meta, const waypoint_map& waypoints);

/// istio.io/ingress-use-waypoint for a bound Service: its own label, else its namespace's;
/// nullopt when neither has it. "true" in any case means yes.
std::optional<bool> ingress_use_waypoint(const kube::string_map& service_labels,
                                         const kube::string_map* namespace_labels);

} // namespace ambient::mesh
