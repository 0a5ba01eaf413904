#include "mesh/discovery_filter.hpp"

#include <algorithm>
#include <utility>

namespace ambient::mesh {

discovery_filter::discovery_filter(std::vector<label_selector> selectors)
  : selectors_(std::move(selectors)) {}

bool discovery_filter::selected(const kube::string_map& labels) const {
  return std::any_of(selectors_.begin(), selectors_.end(),
                     [&](const label_selector& s) { return s.matches(labels); });
}

bool discovery_filter::admitted(const known_namespace& ns) const {
  return selectors_.empty() || (synced_ && ns.selected);
}

bool discovery_filter::admits(std::string_view namespace_name) const {
  if (namespace_name.empty() || selectors_.empty())
    return true;
  if (!synced_)
    return false;
  auto i = namespaces_.find(namespace_name);
  return i != namespaces_.end() && i->second.selected;
}

filter_change discovery_filter::on_namespace(const kube::namespace_& ns) {
  const auto& name = ns.meta.name;
  if (name.empty())
    return {};
  const bool was = admits(name);
  auto& known = namespaces_[name];
  known.labels = ns.meta.labels;
  known.selected = selected(known.labels);
  const bool now = admitted(known);
  filter_change out;
  if (now != was)
    (now ? out.added : out.removed).push_back(name);
  return out;
}

filter_change discovery_filter::on_namespace_deleted(std::string_view name) {
  // istiod reports nothing for a deleted namespace: its objects are deleted too, and a delete
  // cannot de-select anything still there.
  if (auto i = namespaces_.find(name); i != namespaces_.end())
    namespaces_.erase(i);
  return {};
}

filter_change discovery_filter::on_synced() {
  return reevaluate([this] { synced_ = true; });
}

filter_change discovery_filter::set_selectors(std::vector<label_selector> selectors) {
  return reevaluate([&] {
    selectors_ = std::move(selectors);
    for (auto& [name, ns] : namespaces_)
      ns.selected = selected(ns.labels);
  });
}

filter_change discovery_filter::reevaluate(const std::function<void()>& update) {
  std::vector<bool> before;
  before.reserve(namespaces_.size());
  for (const auto& [name, ns] : namespaces_)
    before.push_back(admitted(ns));
  update(); // changes selectors or sync state, never the set of namespaces
  filter_change out;
  size_t i = 0;
  for (const auto& [name, ns] : namespaces_) {
    const bool now = admitted(ns);
    if (now != before[i++])
      (now ? out.added : out.removed).push_back(name);
  }
  return out;
}

} // namespace ambient::mesh
