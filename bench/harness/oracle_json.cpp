#include "bench/harness/oracle_json.hpp"

#include <stdexcept>

namespace ambient::bench {

sim::json list_items(sim_process& sim, const std::string& cluster, const std::string& path,
                     bool absent_ok) {
  std::string server;
  auto api = sim.api(cluster, &server);
  auto r = api.request("GET", server + path);
  if (r.status == 404 && absent_ok)
    return sim::json::array();
  if (r.status != 200)
    throw std::runtime_error("workload oracle: LIST " + path + " of " + cluster + ": HTTP "
                             + std::to_string(r.status) + " " + r.error);
  auto doc = sim::parse_json(r.body, nullptr);
  auto* items = doc ? sim::find_path(*doc, {"items"}) : nullptr;
  if (!items || !items->is_array())
    throw std::runtime_error("workload oracle: the LIST " + path + " of " + cluster
                             + " is not a list");
  return std::move(*items);
}

std::string text_at(const sim::json& v, std::initializer_list<std::string_view> path) {
  const auto* x = sim::find_path(v, path);
  return x && x->is_string() ? x->get<std::string>() : std::string{};
}

std::map<std::string, std::string> strings_at(const sim::json& v,
                                              std::initializer_list<std::string_view> path) {
  std::map<std::string, std::string> out;
  if (const auto* o = sim::find_path(v, path); o && o->is_object())
    for (const auto& [k, x] : o->items())
      out[k] = x.is_string() ? x.get<std::string>() : std::string{};
  return out;
}

} // namespace ambient::bench
