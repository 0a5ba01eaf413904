#pragma once

#include <cstdint>
#include <functional>
#include <set>
#include <string>

#include "sim/json.hpp"

namespace ambient::sim {

/// Gives a Service the ClusterIP the API server's allocator would. A ClusterIP, NodePort or
/// LoadBalancer Service without spec.clusterIP (or with "") keeps `previous`'s (a replace that
/// leaves it out, as the API server keeps an allocated address) or gets the highest address of
/// cluster `cluster_index`'s range (service_ip) that `in_use` does not list: generated services
/// take theirs from the bottom, so the two meet last. spec.clusterIPs defaults to
/// [spec.clusterIP]. `in_use` is called only when an address is allocated. Returns why no address
/// could be given (the range is full), or "".
std::string assign_cluster_ip(json& service, const json* previous, uint32_t cluster_index,
                              const std::function<std::set<std::string>()>& in_use);

/// Adds the addresses a stored Service holds (spec.clusterIP and spec.clusterIPs, but not "None")
/// to `into`; a document that does not parse adds nothing.
void collect_cluster_ips(const std::string& service_json, std::set<std::string>& into);

} // namespace ambient::sim
