#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace ambient::mesh {

/// What the mapping of one cluster's objects needs to know about the cluster and the mesh.
struct cluster_context {
  std::string cluster_id;
  /// The cluster's network: label topology.istio.io/network on its system namespace ("" none).
  std::string network;
  std::string trust_domain = "cluster.local";
  std::string cluster_domain = "cluster.local";
  /// The cluster ambientd runs in: its copies win merges.
  bool is_config_cluster = false;
};

/// `<name>.<namespace>.svc.<cluster_domain>`, a Service's hostname.
std::string service_hostname(std::string_view name, std::string_view namespace_,
                             std::string_view cluster_domain);

/// An IPv4 or IPv6 address in text form as its 4 or 16 network-order bytes (what
/// istio.workload's `bytes` address fields hold); nullopt when it is not an IP address.
std::optional<std::string> ip_bytes(std::string_view text);

/// The inverse of ip_bytes, for logs and tests; "" when `bytes` is neither 4 nor 16 long.
std::string ip_text(std::string_view bytes);

} // namespace ambient::mesh
