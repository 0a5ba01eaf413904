#include "mesh/cluster_index.hpp"

#include <algorithm>
#include <type_traits>

/// The first half of cluster_index: the objects come in and mark what they affect dirty
/// (cluster_index_compute.cpp recomputes the marked resources).
namespace ambient::mesh {

namespace {

constexpr std::string_view network_label = "topology.istio.io/network";

} // namespace

std::string pod_uid(std::string_view cluster_id, std::string_view key) {
  std::string out;
  out.reserve(cluster_id.size() + key.size() + 6);
  out.append(cluster_id).append("//Pod/").append(key);
  return out;
}

cluster_index::cluster_index(cluster_context ctx, std::shared_ptr<const mesh_config> config,
                             std::string system_namespace)
  : ctx_(std::move(ctx)), config_(std::move(config)),
    system_namespace_(std::move(system_namespace)), configured_network_(ctx_.network),
    filter_(selectors_for(*config_, ctx_.cluster_id)),
    policies_(ctx_.cluster_id, config_->root_namespace, config_->revision) {
  // nop
}

void cluster_index::mark_pods_of(const std::string& ns) {
  if (auto it = pods_by_namespace_.find(ns); it != pods_by_namespace_.end())
    for (const auto& key : it->second)
      mark_pod(key);
}

void cluster_index::mark_namespace(const std::string& ns) {
  mark_pods_of(ns);
  if (auto it = services_by_namespace_.find(ns); it != services_by_namespace_.end())
    dirty_services_.insert(it->second.begin(), it->second.end());
  dirty_gateways_ = true;
}

void cluster_index::mark_all() {
  dirty_all_ = true;
}

void cluster_index::apply_filter(const filter_change& c) {
  if (!c.added.empty() || !c.removed.empty())
    waypoints_.mark_all(); // a Gateway of a namespace filtered in or out
  for (const auto* list : {&c.added, &c.removed})
    for (const auto& ns : *list) {
      mark_namespace(ns);
      policies_.mark_namespace(ns);
    }
}

void cluster_index::set_policies(std::shared_ptr<const policy_index> index,
                                 const policy_update& changed) {
  policy_index_ = std::move(index);
  if (changed.all) {
    for (const auto& [key, rec] : pods_)
      mark_pod(key);
    return;
  }
  for (const auto& ns : changed.namespaces)
    mark_pods_of(ns);
  if (changed.selectors.empty())
    return;
  for (const auto& [key, rec] : pods_) {
    const auto& labels = rec.pod.meta.labels;
    if (std::any_of(changed.selectors.begin(), changed.selectors.end(),
                    [&labels](const auto& s) { return is_subset(s, labels); }))
      mark_pod(key);
  }
}

policy_update cluster_index::take_policies() {
  auto out = policies_.take([this](const std::string& ns) { return filter_.admits(ns); });
  auto [counts, notes] = policies_.skips().take();
  skips_.add_all(counts, std::move(notes));
  return out;
}

std::string cluster_index::network_of_system_namespace() const {
  auto it = namespaces_.find(system_namespace_);
  if (it != namespaces_.end())
    if (auto net = kube::lookup(it->second.meta.labels, network_label); net && !net->empty())
      return std::string{*net};
  return configured_network_;
}

void cluster_index::upsert(const kube::any_object& object) {
  upsert_object(object);
}

void cluster_index::upsert(kube::any_object&& object) {
  upsert_object(std::move(object));
}

template <class Object>
void cluster_index::upsert_object(Object&& object) {
  std::visit(
      [this](auto&& o) {
        using T = std::remove_cvref_t<decltype(o)>;
        if constexpr (std::is_same_v<T, kube::pod>) {
          upsert_pod(std::forward<decltype(o)>(o));
          return;
        } else if constexpr (std::is_same_v<T, kube::endpoint_slice>) {
          upsert_slice(std::forward<decltype(o)>(o));
          return;
        }
        auto key = kube::object_key(o.meta);
        if constexpr (std::is_same_v<T, kube::service>) {
          auto old = k8s_services_.find(key);
          waypoints_.on_service(key, old == k8s_services_.end() ? nullptr : &old->second.meta,
                                &o.meta);
          if (old != k8s_services_.end())
            index_selector(old->second, key, false);
          index_selector(o, key, true);
          k8s_services_.insert_or_assign(key, o);
          services_by_namespace_[o.meta.namespace_].insert(key);
          dirty_services_.insert(key);
          mark_pods_of(o.meta.namespace_); // its selector may pick other pods now
        } else if constexpr (std::is_same_v<T, kube::namespace_>) {
          auto old = namespaces_.find(key);
          if (old == namespaces_.end()) {
            waypoints_.on_namespace(key, nullptr, &o.meta);
            mark_namespace(key);
          } else {
            // Before the store learns the new labels: what the pods were bound with counts.
            mark_relabelled_namespace(old->second, o);
            waypoints_.on_namespace(key, &old->second.meta, &o.meta);
          }
          namespaces_.insert_or_assign(key, o);
          apply_filter(filter_.on_namespace(o));
          if (key == system_namespace_ && network_of_system_namespace() != ctx_.network)
            mark_all();
        } else if constexpr (std::is_same_v<T, kube::node>) {
          nodes_.insert_or_assign(key, o);
          if (auto it = pods_by_node_.find(key); it != pods_by_node_.end())
            for (const auto& pod_key : it->second)
              mark_pod(pod_key);
        } else if constexpr (std::is_same_v<T, kube::gateway>) {
          k8s_gateways_.insert_or_assign(key, o);
          dirty_gateways_ = true;
          waypoints_.mark(key);
        } else if constexpr (std::is_same_v<T, kube::gateway_class>) {
          gateway_classes_.insert_or_assign(key, o);
          gateway_classes_changed_ = true;
        } else if constexpr (
            std::is_same_v<
                T, kube::authorization_policy> || std::is_same_v<T, kube::peer_authentication>) {
          policies_.upsert(o);
        }
        // Secrets, ConfigMaps and Leases do not shape the ambient index.
      },
      std::forward<Object>(object));
}

void cluster_index::upsert_pod(kube::pod p) {
  auto key = kube::object_key(p.meta);
  auto [it, inserted] = pods_.try_emplace(key);
  auto& rec = it->second;
  waypoints_.on_pod(key, inserted ? nullptr : &rec.pod, &p);
  if (inserted) {
    rec.uid = pod_uid(ctx_.cluster_id, key);
    pods_by_namespace_[p.meta.namespace_].insert(key);
    pods_by_node_[p.node_name].insert(key);
  } else if (rec.pod == p) {
    return; // a resync: nothing the workload is built from changed (on_pod changed nothing)
  } else if (rec.pod.node_name != p.node_name) {
    pods_by_node_[rec.pod.node_name].erase(key);
    pods_by_node_[p.node_name].insert(key);
  }
  rec.pod = std::move(p);
  if (!rec.dirty) {
    rec.dirty = true;
    dirty_pods_.push_back(std::move(key));
  }
}

void cluster_index::mark_pod(const std::string& key) {
  auto it = pods_.find(key);
  if (it == pods_.end()) {
    dirty_pods_.push_back(key); // deleted: its workload goes
  } else if (!it->second.dirty) {
    it->second.dirty = true;
    dirty_pods_.push_back(key);
  }
}

void cluster_index::remove(kube::resource_kind kind, const std::string& key) {
  switch (kind) {
    case kube::resource_kind::pods:
      if (auto it = pods_.find(key); it != pods_.end()) {
        waypoints_.on_pod(key, &it->second.pod, nullptr);
        pods_by_node_[it->second.pod.node_name].erase(key);
        pods_by_namespace_[it->second.pod.meta.namespace_].erase(key);
        pods_.erase(it);
        dirty_pods_.push_back(key);
      }
      break;
    case kube::resource_kind::services:
      if (auto it = k8s_services_.find(key); it != k8s_services_.end()) {
        waypoints_.on_service(key, &it->second.meta, nullptr);
        index_selector(it->second, key, false);
        k8s_services_.erase(it);
        auto ns = kube::namespace_of_key(key);
        dirty_services_.insert(key);
        mark_pods_of(ns);
        services_by_namespace_[ns].erase(key);
      }
      break;
    case kube::resource_kind::namespaces:
      if (auto it = namespaces_.find(key); it != namespaces_.end()) {
        waypoints_.on_namespace(key, &it->second.meta, nullptr);
        namespaces_.erase(it);
        apply_filter(filter_.on_namespace_deleted(key));
        mark_namespace(key);
        if (key == system_namespace_ && network_of_system_namespace() != ctx_.network)
          mark_all();
      }
      break;
    case kube::resource_kind::nodes:
      if (nodes_.erase(key) > 0)
        if (auto it = pods_by_node_.find(key); it != pods_by_node_.end())
          for (const auto& pod_key : it->second)
            mark_pod(pod_key);
      break;
    case kube::resource_kind::gateways:
      if (k8s_gateways_.erase(key) > 0) {
        dirty_gateways_ = true;
        waypoints_.mark(key);
      }
      break;
    case kube::resource_kind::gateway_classes:
      if (gateway_classes_.erase(key) > 0)
        gateway_classes_changed_ = true;
      break;
    case kube::resource_kind::endpoint_slices:
      remove_slice(key);
      break;
    case kube::resource_kind::authorization_policies:
    case kube::resource_kind::peer_authentications:
      policies_.remove(kind, key);
      break;
    default:
      break;
  }
}

void cluster_index::index_selector(const kube::service& s, const std::string& key, bool add) {
  if (s.selector.empty())
    return; // selects nothing
  const auto& label = s.selector.front();
  if (add) {
    services_by_selector_[s.meta.namespace_][label].insert(key);
    return;
  }
  auto by_ns = services_by_selector_.find(s.meta.namespace_);
  if (by_ns == services_by_selector_.end())
    return;
  if (auto it = by_ns->second.find(label); it != by_ns->second.end()) {
    it->second.erase(key);
    if (it->second.empty())
      by_ns->second.erase(it);
  }
  if (by_ns->second.empty())
    services_by_selector_.erase(by_ns);
}

void cluster_index::set_pod_gateways(std::map<std::string, network_gateway> gateways) {
  auto mine = [&](const std::map<std::string, network_gateway>& m) {
    auto it = m.find(ctx_.network);
    return it == m.end() ? nullptr : &it->second;
  };
  const auto* before = mine(pod_gateways_);
  const auto* after = mine(gateways);
  bool changed = (before == nullptr) != (after == nullptr)
                 || (before != nullptr && after != nullptr && !(*before == *after));
  pod_gateways_ = std::move(gateways);
  if (changed)
    for (const auto& [key, rec] : pods_)
      mark_pod(key);
}

void cluster_index::on_synced() {
  apply_filter(filter_.on_synced());
}

} // namespace ambient::mesh
