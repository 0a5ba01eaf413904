#include "sim/fleet_addresses.hpp"

#include <stdexcept>

namespace ambient::sim {

namespace {

std::string dotted(uint32_t a, uint32_t b, uint32_t c, uint32_t d) {
  return std::to_string(a) + '.' + std::to_string(b) + '.' + std::to_string(c) + '.'
         + std::to_string(d);
}

void require(bool ok, const char* what) {
  if (!ok)
    throw std::out_of_range(what);
}

} // namespace

std::string pod_ip(uint32_t cluster_index, uint32_t i) {
  // Four /16s per cluster: 10.<4c + n/65536>.<n/256 % 256>.<n % 256> with n = i + 1, so up to
  // 262,143 pods in each of 60 clusters, clear of node addresses (10.250.x.y).
  require(cluster_index < 60 && i < 262'143, "pod_ip: cluster index or pod index out of range");
  auto n = i + 1;
  return dotted(10, cluster_index * 4 + n / 65536, (n / 256) % 256, n % 256);
}

std::string service_ip(uint32_t cluster_index, uint32_t i) {
  require(i < 65000, "service_ip: service index out of range");
  return dotted(172, 16 + cluster_index % 16, (i + 2) / 256, (i + 2) % 256);
}

std::string apiserver_service_ip(uint32_t cluster_index) {
  return dotted(172, 16 + cluster_index % 16, 0, 1);
}

std::string node_ip(uint32_t cluster_index, uint32_t i) {
  require(cluster_index < 200 && i < 254, "node_ip: cluster index or node index out of range");
  return dotted(10, 250, cluster_index, i + 1);
}

} // namespace ambient::sim
