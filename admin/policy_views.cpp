#include "admin/policy_views.hpp"

#include <algorithm>
#include <map>

#include "base/json_writer.hpp"

namespace ambient::admin {

std::string policies_json(const std::vector<mesh::authorization_ptr>& authorizations,
                          const std::vector<mesh::address_ptr>& resources) {
  std::map<std::string, std::vector<std::string>> carriers; // policy name → workload uids
  for (const auto& r : resources) {
    if (!r->address.has_workload())
      continue;
    const auto& wl = r->address.workload();
    for (const auto& p : wl.authorization_policies())
      carriers[p].push_back(wl.uid());
  }
  std::vector<const mesh::authorization_resource*> sorted;
  for (const auto& a : authorizations)
    sorted.push_back(a.get());
  std::sort(sorted.begin(), sorted.end(),
            [](const auto* a, const auto* b) { return a->name < b->name; });
  base::json_writer w;
  w.begin_array();
  for (const auto* a : sorted) {
    const auto& auth = a->authorization;
    w.begin_object()
        .member("name", a->name)
        .member("namespace", auth.namespace_())
        .member("scope", istio::security::Scope_Name(auth.scope()))
        .member("action", istio::security::Action_Name(auth.action()))
        .member("groups", static_cast<int64_t>(auth.groups_size()));
    w.key("workloads").begin_array();
    if (auto it = carriers.find(a->name); it != carriers.end()) {
      std::sort(it->second.begin(), it->second.end());
      for (const auto& uid : it->second)
        w.value(uid);
    }
    w.end_array().end_object();
  }
  w.end_array();
  return w.take();
}

} // namespace ambient::admin
