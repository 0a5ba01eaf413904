#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

/// The resources a proxyless gRPC client gets for one "hostname:port" (gRFC A27): its API
/// listener, route configuration, EDS cluster and load assignment, serialized deterministically
/// so equal resources have equal bytes and the tables recognise unchanged ones.
namespace ambient::xds {

/// The Listener name a client dialing xds:///hostname:port asks for; also the name of its
/// RouteConfiguration and virtual host.
inline std::string listener_name(std::string_view hostname, uint32_t port) {
  return std::string{hostname} + ":" + std::to_string(port);
}

/// istiod's "outbound|port||hostname": the Cluster name, its EDS service_name and the
/// ClusterLoadAssignment's cluster_name.
inline std::string cluster_name(std::string_view hostname, uint32_t port) {
  return "outbound|" + std::to_string(port) + "||" + std::string{hostname};
}

/// The Listener: an API listener whose HTTP connection manager gets its routes over ADS.
std::string listener_bytes(std::string_view hostname, uint32_t port);

/// The RouteConfiguration: one virtual host for the hostname (with and without the port) that
/// sends everything to the port's cluster.
std::string route_bytes(std::string_view hostname, uint32_t port);

/// The Cluster: round robin over endpoints from EDS over ADS.
std::string cluster_bytes(std::string_view hostname, uint32_t port);

/// One endpoint, ordered by locality {region, zone, subzone} (its group), then workload
/// cluster, IP and port.
struct endpoint_row {
  std::array<std::string, 3> locality;
  std::string cluster_id, ip;
  uint32_t port = 0;
  auto operator<=>(const endpoint_row&) const = default;
};

/// The ClusterLoadAssignment of (hostname, port) over `rows` (in any order): one locality group
/// each, every endpoint healthy, a repeated address:port kept once (gRPC rejects it), each group
/// weighted by its endpoint count (gRPC skips a locality without a weight).
std::string load_assignment_bytes(std::string_view hostname, uint32_t port,
                                  std::vector<endpoint_row> rows);

} // namespace ambient::xds
