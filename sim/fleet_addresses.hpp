#pragma once

#include <cstdint>
#include <string>

namespace ambient::sim {

/// Deterministic addresses for generated fleets, unique per cluster and kind; out-of-range
/// arguments throw std::out_of_range. The i-th pod IP of
/// cluster c is "10.<4c + n/65536>.<n/256 % 256>.<n % 256>" with n = i + 1 (c < 60, i < 262,143).
std::string pod_ip(uint32_t cluster_index, uint32_t i);

/// The i-th service IP of cluster c: "172.<16 + c%16>.x.y" where x.y = i + 2 (i < 65000); clusters
/// c and c + 16 share a range, as real clusters with default service CIDRs do. The range's first
/// address is apiserver_service_ip's.
std::string service_ip(uint32_t cluster_index, uint32_t i);

/// The ClusterIP of cluster c's `default/kubernetes` Service: the first address of its service
/// range, "172.<16 + c%16>.0.1", as a real API server reserves it; no service_ip takes it.
std::string apiserver_service_ip(uint32_t cluster_index);

/// The i-th node IP of cluster c: "10.250.<c>.<i + 1>" (c < 200, i < 254), apart from pod IPs.
std::string node_ip(uint32_t cluster_index, uint32_t i);

} // namespace ambient::sim
