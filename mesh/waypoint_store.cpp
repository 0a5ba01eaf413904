#include "mesh/waypoint_store.hpp"

namespace ambient::mesh {

namespace {

const std::set<std::string>& find_or_empty(const std::map<std::string, std::set<std::string>>& m,
                                           const std::string& key) {
  static const std::set<std::string> none;
  auto it = m.find(key);
  return it == m.end() ? none : it->second;
}

/// The waypoint an object's own labels name, or nullopt.
std::optional<std::string> named_by(const kube::object_meta* meta) {
  if (meta == nullptr)
    return std::nullopt;
  return named_waypoint(meta->labels, meta->namespace_);
}

/// The waypoint key an instance pod's gateway-name label names, or nullopt.
std::optional<std::string> instance_key(const kube::pod* p) {
  if (p == nullptr)
    return std::nullopt;
  auto name = kube::lookup(p->meta.labels, gateway_name_label);
  if (!name || name->empty())
    return std::nullopt;
  return p->meta.namespace_ + "/" + std::string{*name};
}

} // namespace

void waypoint_store::move_ref(refs& r, const std::string& object, const std::string* before,
                              const std::string* after) {
  if (before != nullptr && (after == nullptr || *before != *after))
    if (auto it = r.find(*before); it != r.end()) {
      it->second.erase(object);
      if (it->second.empty())
        r.erase(it);
    }
  if (after != nullptr)
    r[*after].insert(object);
}

void waypoint_store::on_pod(const std::string& key, const kube::pod* before,
                            const kube::pod* after) {
  auto b = named_by(before ? &before->meta : nullptr);
  auto a = named_by(after ? &after->meta : nullptr);
  if (b || a)
    move_ref(pods_naming_, key, b ? &*b : nullptr, a ? &*a : nullptr);
  auto ib = instance_key(before);
  auto ia = instance_key(after);
  if (!ib && !ia)
    return;
  if (ib && ib != ia) {
    auto it = instances_.find(*ib);
    if (it != instances_.end()) {
      it->second.erase(key);
      if (it->second.empty())
        instances_.erase(it);
    }
    dirty_.insert(*ib);
  }
  if (ia) {
    auto& sa = instances_[*ia][key];
    if (ib != ia || sa != after->service_account)
      dirty_.insert(*ia); // the waypoint's service accounts may change
    sa = after->service_account;
  }
}

void waypoint_store::on_service(const std::string& key, const kube::object_meta* before,
                                const kube::object_meta* after) {
  auto b = named_by(before);
  auto a = named_by(after);
  move_ref(services_naming_, key, b ? &*b : nullptr, a ? &*a : nullptr);
}

void waypoint_store::on_namespace(const std::string& name, const kube::object_meta* before,
                                  const kube::object_meta* after) {
  // A namespace names a waypoint in the namespace its own -namespace label gives, else itself.
  auto named = [&](const kube::object_meta* m) -> std::optional<std::string> {
    if (m == nullptr)
      return std::nullopt;
    return named_waypoint(m->labels, name);
  };
  auto b = named(before);
  auto a = named(after);
  move_ref(namespaces_naming_, name, b ? &*b : nullptr, a ? &*a : nullptr);
}

void waypoint_store::mark(const std::string& key) {
  dirty_.insert(key);
}

void waypoint_store::mark_all() {
  dirty_all_ = true;
}

std::vector<std::string> waypoint_store::take(const waypoint_inputs& in, skip_log& skips) {
  if (dirty_all_) {
    dirty_all_ = false;
    for (const auto& [key, gw] : in.gateways)
      dirty_.insert(key);
    for (const auto& [key, w] : waypoints_)
      dirty_.insert(key);
  }
  std::vector<std::string> changed;
  for (const auto& key : dirty_) {
    std::optional<waypoint> next;
    auto gw = in.gateways.find(key);
    if (in.keep && gw != in.gateways.end() && in.admits(gw->second.meta.namespace_)) {
      std::vector<std::string> accounts;
      if (auto i = instances_.find(key); i != instances_.end())
        for (const auto& [pod, sa] : i->second)
          accounts.push_back(sa);
      auto cls = in.classes.find(gw->second.gateway_class);
      next = make_waypoint(gw->second, cls == in.classes.end() ? nullptr : &cls->second, in.network,
                           std::move(accounts), skips, in.cluster);
    }
    auto old = waypoints_.find(key);
    if (!next) {
      if (old != waypoints_.end()) {
        waypoints_.erase(old);
        changed.push_back(key);
      }
    } else if (old == waypoints_.end()) {
      waypoints_.emplace(key, std::move(*next));
      changed.push_back(key);
    } else if (!(old->second == *next)) {
      old->second = std::move(*next);
      changed.push_back(key);
    }
  }
  dirty_.clear();
  return changed;
}

const std::set<std::string>& waypoint_store::pods_naming(const std::string& key) const {
  return find_or_empty(pods_naming_, key);
}

const std::set<std::string>& waypoint_store::services_naming(const std::string& key) const {
  return find_or_empty(services_naming_, key);
}

const std::set<std::string>& waypoint_store::namespaces_naming(const std::string& key) const {
  return find_or_empty(namespaces_naming_, key);
}

const std::map<std::string, std::string>&
waypoint_store::instances_of(const std::string& key) const {
  static const std::map<std::string, std::string> none;
  auto it = instances_.find(key);
  return it == instances_.end() ? none : it->second;
}

} // namespace ambient::mesh
