#include "xds/resource_table.hpp"

#include <algorithm>
#include <stdexcept>

#include "xds/set_index.hpp"

namespace ambient::xds {

namespace {

void sort_unique(std::vector<std::string>& v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
}

} // namespace

resource_table::resource_table(std::string type_url, std::size_t max_log_entries)
  : type_url_(std::move(type_url)), log_(max_log_entries) {}

void resource_table::check_version(uint64_t new_version) const {
  if (new_version <= version_)
    throw std::logic_error("resource_table " + type_url_ + ": version "
                           + std::to_string(new_version) + " does not follow "
                           + std::to_string(version_));
}

std::size_t resource_table::apply(std::vector<resource_update> upserts,
                                  const std::vector<std::string>& removes, uint64_t new_version) {
  if (upserts.empty() && removes.empty())
    return 0;
  check_version(new_version);
  std::size_t changed = 0;
  for (const auto& name : removes)
    changed += erase(name, new_version) ? 1 : 0;
  for (auto& u : upserts) {
    sort_unique(u.aliases);
    if (u.lookup)
      sort_unique(u.lookup->services);
    const auto* lookup = u.lookup ? &*u.lookup : nullptr;
    changed
        += upsert(std::move(u.name), std::move(u.bytes), std::move(u.aliases), lookup, new_version)
               ? 1
               : 0;
  }
  if (changed > 0)
    version_ = new_version;
  return changed;
}

bool resource_table::upsert(std::string name, std::string bytes, std::vector<std::string> aliases,
                            const address_lookup* info, uint64_t new_version) {
  auto i = entries_.find(name);
  std::string old_node;
  if (i != entries_.end()) {
    const auto& old = *i->second;
    auto old_info = address_info_.find(name);
    bool same_info = info == nullptr ? old_info == address_info_.end()
                                     : old_info != address_info_.end()
                                           && old_info->second.workload == info->workload
                                           && old_info->second.services == info->services
                                           && old_info->second.node == info->node;
    if (old.bytes == bytes && old.aliases == aliases && same_info)
      return false;
    old_node = unindex(old);
    by_name_.erase(name); // its key views the old entry's name
  }
  auto e = std::make_shared<resource_entry>();
  e->name = name;
  e->version = version_string(new_version);
  e->bytes = std::move(bytes);
  e->aliases = std::move(aliases);
  index(*e, info);
  move_node(e->name, old_node, info == nullptr ? std::string_view{} : info->node);
  by_name_.emplace(e->name, e);
  log_.record(new_version, name);
  entries_.insert_or_assign(std::move(name), std::move(e));
  return true;
}

bool resource_table::erase(const std::string& name, uint64_t new_version) {
  auto i = entries_.find(name);
  if (i == entries_.end())
    return false;
  move_node(name, unindex(*i->second), {});
  by_name_.erase(name);
  entries_.erase(i);
  log_.record(new_version, name);
  return true;
}

std::string resource_table::unindex(const resource_entry& e) {
  for (const auto& alias : e.aliases)
    unlink(alias_names_, alias, e.name);
  auto info = address_info_.find(e.name);
  if (info == address_info_.end())
    return {};
  for (const auto& key : info->second.services)
    unlink(service_workloads_, key, e.name);
  auto node = std::move(info->second.node);
  address_info_.erase(info);
  return node;
}

void resource_table::move_node(const std::string& name, std::string_view from,
                               std::string_view to) {
  if (from == to)
    return; // most changes of a workload leave its node alone: the index stays as it is
  if (!from.empty())
    unlink(node_workloads_, from, name);
  if (!to.empty()) {
    auto i = node_workloads_.find(to);
    if (i == node_workloads_.end())
      i = node_workloads_.emplace(std::string{to}, std::set<std::string>{}).first;
    i->second.insert(name);
  }
}

void resource_table::index(const resource_entry& e, const address_lookup* info) {
  for (const auto& alias : e.aliases)
    alias_names_[alias].insert(e.name);
  if (info == nullptr)
    return;
  for (const auto& key : info->services)
    service_workloads_[key].insert(e.name);
  address_info_.insert_or_assign(e.name, *info);
}

entry_ptr resource_table::find(std::string_view name) const {
  auto i = by_name_.find(name);
  return i == by_name_.end() ? nullptr : i->second;
}

const change_set& resource_table::changes_after(uint64_t since_version) const {
  auto& c = changes_cache_;
  if (!c.valid || c.since != since_version || c.version != version_) {
    c.changes = log_.since(since_version);
    c.since = since_version;
    c.version = version_;
    c.valid = true;
  }
  return c.changes;
}

std::vector<std::string> resource_table::workloads_of(std::string_view service_key) const {
  auto i = service_workloads_.find(service_key);
  if (i == service_workloads_.end())
    return {};
  return {i->second.begin(), i->second.end()};
}

const std::set<std::string>& resource_table::workloads_on(std::string_view node) const {
  static const std::set<std::string> none;
  auto i = node.empty() ? node_workloads_.end() : node_workloads_.find(node);
  return i == node_workloads_.end() ? none : i->second;
}

std::vector<std::string> resource_table::resolve(std::string_view key) const {
  std::vector<std::string> out;
  auto is_service = [this](const std::string& name) {
    auto i = address_info_.find(name);
    return i != address_info_.end() && !i->second.workload;
  };
  auto add_service = [&](const std::string& name) {
    out.push_back(name);
    for (auto& w : workloads_of(name))
      out.push_back(std::move(w));
  };
  if (auto i = entries_.find(key); i != entries_.end()) {
    if (is_service(i->first))
      add_service(i->first);
    else
      out.push_back(i->first);
  } else if (auto a = alias_names_.find(key); a != alias_names_.end()) {
    for (const auto& name : a->second)
      if (!is_service(name))
        out.push_back(name);
    if (out.empty())
      for (const auto& name : a->second)
        add_service(name);
  }
  sort_unique(out);
  return out;
}

} // namespace ambient::xds
