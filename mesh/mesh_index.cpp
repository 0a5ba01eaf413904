#include "mesh/mesh_index.hpp"

#include <iterator>

/// The mesh index's routing: each cluster's objects to its cluster_index, admission by the
/// clusters' states, and what they changed noted for the next delta (mesh_index_compute.cpp
/// turns that into resources).
namespace ambient::mesh {

mesh_index::mesh_index(std::shared_ptr<const mesh_config> config)
  : config_(std::move(config)),
    policy_index_(std::make_shared<policy_index>(config_->root_namespace)),
    gateway_classes_(std::make_shared<gateway_class_map>()) {
  // nop
}

std::unique_ptr<cluster_index> mesh_index::make_index(const std::string& cluster_id) const {
  cluster_context ctx;
  ctx.cluster_id = cluster_id;
  ctx.is_config_cluster = cluster_id == config_->cluster_id;
  if (ctx.is_config_cluster)
    ctx.network = config_->network;
  ctx.trust_domain = config_->trust_domain;
  ctx.cluster_domain = config_->cluster_domain;
  auto idx = std::make_unique<cluster_index>(std::move(ctx), config_);
  idx->set_pod_gateways(pod_gateways_);
  idx->set_policies(policy_index_, {});
  idx->set_gateway_classes(gateway_classes_);
  return idx;
}

cluster_index* mesh_index::route(const std::string& cluster_id, uint64_t generation) {
  auto& s = slots_[cluster_id];
  if (!s.current || (generation > s.generation && !s.admitted)) {
    // Nothing of this cluster is visible yet: the newest incarnation simply takes the place.
    s.current = make_index(cluster_id);
    s.generation = generation;
    s.admitted = false;
    return s.current.get();
  }
  if (generation == s.generation)
    return s.current.get();
  if (generation < s.generation)
    return nullptr; // an incarnation already replaced
  if (!s.pending || generation > s.pending_generation) {
    s.pending = make_index(cluster_id);
    s.pending_generation = generation;
  }
  return generation == s.pending_generation ? s.pending.get() : nullptr;
}

void mesh_index::upsert(const std::string& cluster_id, uint64_t generation,
                        const kube::any_object& o) {
  if (auto* idx = route(cluster_id, generation))
    idx->upsert(o);
}

void mesh_index::upsert(const std::string& cluster_id, uint64_t generation, kube::any_object&& o) {
  if (auto* idx = route(cluster_id, generation))
    idx->upsert(std::move(o));
}

void mesh_index::remove(const std::string& cluster_id, uint64_t generation,
                        kube::resource_kind kind, const std::string& key) {
  if (auto* idx = route(cluster_id, generation))
    idx->remove(kind, key);
}

void mesh_index::note_changes(index_changes&& c, bool remote_network) {
  // Split-horizon workloads are built only from other networks' clusters: a change in the local
  // network (the common case) leaves them as they are. Network-gateway workloads change only with
  // the gateways (dirty_all_).
  if (remote_network && (!c.services.empty() || !c.workloads.empty()))
    dirty_derived_ = true;
  if (c.gateways || c.network)
    dirty_all_ = true; // which workloads are local, and which gateway fronts a network
  dirty_names_.insert(c.services.begin(), c.services.end());
  if (dirty_workloads_.empty())
    dirty_workloads_ = std::move(c.workloads);
  else
    std::move(c.workloads.begin(), c.workloads.end(), std::back_inserter(dirty_workloads_));
}

void mesh_index::note_everything_of(const cluster_index& idx) {
  for (const auto& [uid, w] : idx.workloads())
    dirty_workloads_.push_back(w);
  for (const auto& [key, s] : idx.services())
    dirty_names_.insert(key);
  dirty_derived_ = true;
  if (!idx.gateways().empty() || idx.context().is_config_cluster)
    dirty_all_ = true; // the gateways or the local network may have changed
}

void mesh_index::set_state(const std::string& cluster_id, uint64_t generation,
                           fleet::lifecycle state) {
  // `stale` also admits: every informer has finished its first list, only a watch is failing
  // now. A first sync that lands as stale (an informer unhealthy at that moment) must not keep a
  // complete cluster out of the view until every watch recovers. An admitted cluster that turns
  // stale keeps its contribution. syncing, timeout and failed change nothing visible.
  if (state != fleet::lifecycle::synced && state != fleet::lifecycle::stale)
    return;
  auto it = slots_.find(cluster_id);
  if (it == slots_.end())
    return;
  auto& s = it->second;
  if (generation == s.generation && s.current && !s.admitted) {
    s.current->on_synced();
    s.current->take_changes();
    s.admitted = true;
    note_everything_of(*s.current);
  } else if (generation == s.pending_generation && s.pending) {
    // Swap in one step: the old incarnation's names and the new one's are recomputed together.
    s.pending->on_synced();
    s.pending->take_changes();
    if (s.admitted)
      note_everything_of(*s.current);
    s.current = std::move(s.pending);
    s.generation = s.pending_generation;
    s.pending_generation = 0;
    s.admitted = true;
    note_everything_of(*s.current);
  }
}

void mesh_index::withdraw(const std::string& cluster_id, uint64_t generation) {
  auto it = slots_.find(cluster_id);
  if (it == slots_.end())
    return;
  auto& s = it->second;
  if (s.current && s.generation <= generation) {
    if (s.admitted)
      note_everything_of(*s.current);
    s.current.reset();
    s.admitted = false;
  }
  if (s.pending && s.pending_generation <= generation)
    s.pending.reset();
  if (s.pending && !s.current) {
    s.current = std::move(s.pending);
    s.generation = s.pending_generation;
  }
  if (!s.current)
    slots_.erase(it);
}

void mesh_index::suspend(const std::string& cluster_id) {
  auto it = slots_.find(cluster_id);
  if (it == slots_.end() || !it->second.admitted)
    return;
  auto& s = it->second;
  note_everything_of(*s.current);
  s.admitted = false;
  if (s.pending) {
    s.current = std::move(s.pending);
    s.generation = s.pending_generation;
    s.pending_generation = 0;
  }
}

std::vector<std::string> mesh_index::admitted_clusters() const {
  std::vector<std::string> out;
  for (const auto& [id, s] : slots_)
    if (s.admitted)
      out.push_back(id);
  return out;
}

std::string mesh_index::local_network() const {
  auto it = slots_.find(config_->cluster_id);
  if (it != slots_.end() && it->second.admitted)
    return it->second.current->context().network;
  return config_->network;
}

std::vector<const network_gateway*> mesh_index::merged_gateways() const {
  std::vector<const network_gateway*> out;
  std::set<std::string> seen;
  auto scan = [&](const slot& s) {
    for (const auto& gw : s.current->gateways())
      if (seen.insert(network_gateway_resource_name(gw)).second)
        out.push_back(&gw);
  };
  if (auto it = slots_.find(config_->cluster_id); it != slots_.end() && it->second.admitted)
    scan(it->second);
  for (const auto& [id, s] : slots_)
    if (s.admitted && id != config_->cluster_id)
      scan(s);
  return out;
}

std::map<std::string, network_gateway> mesh_index::pod_gateways() const {
  std::map<std::string, network_gateway> out;
  for (const auto* gw : merged_gateways())
    if (gw->hbone_port != 0)
      out.try_emplace(gw->network, *gw);
  return out;
}

void mesh_index::take_policies(mesh_delta& out) {
  cluster_index* source = nullptr;
  std::optional<uint64_t> generation;
  if (auto it = slots_.find(config_->cluster_id); it != slots_.end() && it->second.admitted) {
    source = it->second.current.get();
    generation = it->second.generation;
  }
  policy_update changed;
  if (generation != policy_generation_) {
    // Another incarnation (or none) is the source now: every list may differ, unless it holds
    // what the last source held (a restarted config cluster relists the same policies).
    policy_generation_ = generation;
    if (source)
      source->take_policies();
    const auto none = policy_index{config_->root_namespace};
    changed.all = !(*policy_index_ == (source ? *source->policies().index() : none));
  } else if (source && source->policies().dirty()) {
    changed = source->take_policies();
  } else {
    return; // nothing changed
  }
  // The resources are compared even when no list can move: a policy no workload lists (a
  // namespace-wide or mesh-wide one) still changes what ztunnel enforces.
  policy_index_ = source ? source->policies().index()
                         : std::make_shared<policy_index>(config_->root_namespace);
  for (auto& [id, s] : slots_) {
    if (s.current)
      s.current->set_policies(policy_index_, changed);
    if (s.pending)
      s.pending->set_policies(policy_index_, changed);
  }
  static const std::map<std::string, authorization_ptr> none;
  const auto& next = source ? source->policies().resources() : none;
  for (const auto& [name, r] : next) {
    auto old = authorizations_.find(name);
    if (old == authorizations_.end() || (old->second != r && old->second->bytes != r->bytes))
      out.authorizations_upserted.push_back(r);
  }
  for (const auto& [name, r] : authorizations_)
    if (!next.contains(name))
      out.authorizations_removed.push_back(name);
  authorizations_ = next;
}

void mesh_index::take_gateway_classes() {
  cluster_index* source = nullptr;
  std::optional<uint64_t> generation;
  if (auto it = slots_.find(config_->cluster_id); it != slots_.end() && it->second.admitted) {
    source = it->second.current.get();
    generation = it->second.generation;
  }
  bool changed = source != nullptr && source->take_gateway_classes_changed();
  if (generation == class_generation_ && !changed)
    return;
  class_generation_ = generation;
  auto next = std::make_shared<const gateway_class_map>(source ? source->gateway_classes()
                                                               : gateway_class_map{});
  if (*next == *gateway_classes_)
    return;
  gateway_classes_ = std::move(next);
  for (auto& [id, s] : slots_) {
    if (s.current)
      s.current->set_gateway_classes(gateway_classes_);
    if (s.pending)
      s.pending->set_gateway_classes(gateway_classes_);
  }
}

waypoint_report mesh_index::report_waypoints() const {
  waypoint_report out;
  for (const auto& [id, s] : slots_)
    if (s.admitted)
      s.current->report_waypoints(out);
  return out;
}

std::string mesh_index::impersonation_refusal(const impersonation_query& q) const {
  auto it = slots_.find(q.cluster_id);
  if (it == slots_.end() || !it->second.current || !it->second.admitted)
    return "cluster " + q.cluster_id + " has not synced into the mesh index";
  return it->second.current->impersonation_refusal(q);
}

} // namespace ambient::mesh
