#include "sim/cluster_ip.hpp"

#include "sim/fleet_addresses.hpp"

namespace ambient::sim {

namespace {

std::string text_at(const json& obj, const char* key) {
  auto it = obj.find(key);
  return it != obj.end() && it->is_string() ? it->get<std::string>() : std::string{};
}

/// The highest free address of the range, or "".
std::string free_address(uint32_t cluster_index, const std::set<std::string>& used) {
  for (uint32_t i = 65000; i-- > 0;)
    if (auto ip = service_ip(cluster_index, i); !used.contains(ip))
      return ip;
  return {};
}

} // namespace

std::string assign_cluster_ip(json& service, const json* previous, uint32_t cluster_index,
                              const std::function<std::set<std::string>()>& in_use) {
  auto* spec = find_path(service, {"spec"});
  if (spec == nullptr || !spec->is_object())
    return {};
  auto type = text_at(*spec, "type");
  if (type != "ClusterIP" && type != "NodePort" && type != "LoadBalancer")
    return {};
  if (text_at(*spec, "clusterIP").empty()) {
    const auto* old_spec = previous != nullptr ? find_path(*previous, {"spec"}) : nullptr;
    auto ip = old_spec != nullptr && old_spec->is_object() ? text_at(*old_spec, "clusterIP")
                                                           : std::string{};
    if (!ip.empty()) {
      (*spec)["clusterIP"] = ip;
      if (auto ips = old_spec->find("clusterIPs");
          ips != old_spec->end() && !spec->contains("clusterIPs"))
        (*spec)["clusterIPs"] = *ips;
    } else {
      ip = free_address(cluster_index, in_use());
      if (ip.empty())
        return "spec.clusterIP: Internal error: failed to allocate a serviceIP: range is full";
      (*spec)["clusterIP"] = ip;
      (*spec)["clusterIPs"] = json::array({ip});
    }
  }
  if (!spec->contains("clusterIPs") && (*spec)["clusterIP"].is_string())
    (*spec)["clusterIPs"] = json::array({(*spec)["clusterIP"]});
  return {};
}

void collect_cluster_ips(const std::string& service_json, std::set<std::string>& into) {
  auto obj = parse_json(service_json, nullptr);
  const auto* spec = obj ? find_path(*obj, {"spec"}) : nullptr;
  if (spec == nullptr || !spec->is_object())
    return;
  auto add = [&](const json& v) {
    if (v.is_string() && v.get<std::string>() != "None" && !v.get<std::string>().empty())
      into.insert(v.get<std::string>());
  };
  if (auto it = spec->find("clusterIP"); it != spec->end())
    add(*it);
  if (auto it = spec->find("clusterIPs"); it != spec->end() && it->is_array())
    for (const auto& v : *it)
      add(v);
}

} // namespace ambient::sim
