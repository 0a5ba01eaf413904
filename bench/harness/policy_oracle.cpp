#include "bench/harness/policy_oracle.hpp"

#include <algorithm>
#include <set>
#include <tuple>

#include "bench/harness/oracle_json.hpp"

namespace ambient::bench {

namespace {

constexpr const char* root_namespace = "istio-system";

/// Go's strconv.ParseBool true values.
bool parse_bool_true(const std::string& v) {
  static const std::set<std::string> yes{"1", "t", "T", "TRUE", "true", "True"};
  return yes.contains(v);
}

} // namespace

policy_oracle::policy_oracle(sim_process& sim, const std::string& config_cluster) {
  for (const auto& ap :
       list_items(sim, config_cluster, "/apis/security.istio.io/v1/authorizationpolicies", true)) {
    auto action = text_at(ap, {"spec", "action"});
    if ((action != "" && action != "ALLOW" && action != "DENY")
        || parse_bool_true(text_at(ap, {"metadata", "annotations", "istio.io/dry-run"}))
        || sim::find_path(ap, {"spec", "targetRef"}) || sim::find_path(ap, {"spec", "targetRefs"}))
      continue;
    const auto* match = sim::find_path(ap, {"spec", "selector", "matchLabels"});
    if (!match || !match->is_object() || match->empty())
      continue;
    selector_policy p;
    p.ns = text_at(ap, {"metadata", "namespace"});
    p.key = p.ns + "/" + text_at(ap, {"metadata", "name"});
    p.match_labels = strings_at(ap, {"spec", "selector", "matchLabels"});
    selectors_.push_back(std::move(p));
  }
  std::sort(selectors_.begin(), selectors_.end(),
            [](const auto& a, const auto& b) { return a.key < b.key; });
  std::map<std::string, std::tuple<std::string, std::string>> oldest; // ns → (created, name)
  for (const auto& pa :
       list_items(sim, config_cluster, "/apis/security.istio.io/v1/peerauthentications", true)) {
    if (sim::find_path(pa, {"spec", "selector"}))
      continue;
    auto ns = text_at(pa, {"metadata", "namespace"});
    auto at = std::tuple{text_at(pa, {"metadata", "creationTimestamp"}),
                         text_at(pa, {"metadata", "name"})};
    if (auto it = oldest.find(ns); it != oldest.end() && it->second < at)
      continue;
    oldest[ns] = at;
    modes_[ns] = text_at(pa, {"spec", "mtls", "mode"});
  }
}

std::vector<std::string>
policy_oracle::policies_for(const std::string& ns,
                            const std::map<std::string, std::string>& labels) const {
  std::vector<std::string> out;
  for (const auto& p : selectors_) {
    if (p.ns != ns && p.ns != root_namespace)
      continue;
    bool subset = std::all_of(p.match_labels.begin(), p.match_labels.end(), [&](const auto& kv) {
      auto it = labels.find(kv.first);
      return it != labels.end() && it->second == kv.second;
    });
    if (subset)
      out.push_back(p.key);
  }
  auto mode_of = [&](const std::string& n) {
    auto it = modes_.find(n);
    return it == modes_.end() ? std::string{} : it->second;
  };
  auto mode = mode_of(ns);
  if (mode.empty() || mode == "UNSET")
    mode = mode_of(root_namespace);
  if (mode == "STRICT")
    out.push_back(std::string{root_namespace} + "/istio_converted_static_strict");
  return out;
}

} // namespace ambient::bench
