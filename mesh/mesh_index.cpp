#include "mesh/mesh_index.hpp"

#include <algorithm>
#include <iterator>
#include <string_view>

#include "mesh/split_horizon.hpp"

namespace ambient::mesh {

namespace {

bool is_workload_name(const std::string& name) {
  return name.find("//") != std::string::npos;
}

} // namespace

mesh_index::mesh_index(std::shared_ptr<const mesh_config> config) : config_(std::move(config)) {
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
  return std::make_unique<cluster_index>(std::move(ctx), config_);
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
  // network (the common case) leaves them as they are.
  if (remote_network && (!c.services.empty() || !c.workloads.empty()))
    dirty_split_horizon_ = true;
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
  dirty_split_horizon_ = true;
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

const network_gateway* mesh_index::gateway_for(const std::string& network) const {
  // The config cluster's gateways first, then by cluster ID: "the first gateway is used".
  const network_gateway* found = nullptr;
  auto scan = [&](const slot& s) {
    for (const auto& gw : s.current->gateways())
      if (gw.network == network && !found)
        found = &gw;
  };
  if (auto it = slots_.find(config_->cluster_id); it != slots_.end() && it->second.admitted)
    scan(it->second);
  for (const auto& [id, s] : slots_)
    if (s.admitted && id != config_->cluster_id)
      scan(s);
  return found;
}

address_ptr mesh_index::compute_workload(const std::string& uid,
                                         const std::string& local_network) const {
  auto it = slots_.find(std::string_view{uid}.substr(0, uid.find("//")));
  if (it == slots_.end() || !it->second.admitted)
    return nullptr;
  const auto& idx = *it->second.current;
  if (idx.context().network != local_network)
    return nullptr; // another network's workloads are reached through split horizon
  auto w = idx.workloads().find(uid);
  if (w == idx.workloads().end())
    return nullptr;
  return w->second; // built and serialized once by the cluster's index, shared from here on
}

address_ptr mesh_index::compute_service(const std::string& key) const {
  const scoped_service* local = nullptr;
  std::vector<const scoped_service*> global_remote;
  std::set<std::string> remote_network_sans; // identities behind another network's gateway
  auto local_net = local_network();
  for (const auto& [id, s] : slots_) {
    if (!s.admitted)
      continue;
    auto it = s.current->services().find(key);
    if (it == s.current->services().end())
      continue;
    if (id == config_->cluster_id)
      local = &it->second;
    else if (it->second.scope == service_scope::global)
      global_remote.push_back(&it->second);
    if (it->second.scope == service_scope::global && s.current->context().network != local_net)
      if (auto ids = s.current->service_identities().find(key);
          ids != s.current->service_identities().end())
        for (const auto& [ns_sa, count] : ids->second) {
          auto slash = ns_sa.find('/');
          remote_network_sans.insert("spiffe://" + config_->trust_domain + "/ns/"
                                     + ns_sa.substr(0, slash) + "/sa/" + ns_sa.substr(slash + 1));
        }
  }
  if (!local && global_remote.empty())
    return nullptr;
  // Built right on the resource's arena.
  return build_resource(key, [&](istio::workload::Address& a) {
    auto* merged = a.mutable_service();
    *merged = local ? local->service : global_remote.front()->service;
    if ((local && local->scope == service_scope::local) || global_remote.empty())
      return true;
    std::vector<std::pair<std::string, std::string>> vips;
    std::set<std::string> sans;
    auto add = [&](const istio::workload::Service& s) {
      for (const auto& v : s.addresses())
        vips.emplace_back(v.network(), v.address());
      sans.insert(s.subject_alt_names().begin(), s.subject_alt_names().end());
    };
    if (local)
      add(local->service);
    for (const auto* r : global_remote)
      add(r->service);
    // istiod's SplitHorizonServices: the SPIFFE identities of another network's endpoints, which
    // the client must accept at the far end of the double-HBONE tunnel.
    sans.insert(remote_network_sans.begin(), remote_network_sans.end());
    std::sort(vips.begin(), vips.end());
    vips.erase(std::unique(vips.begin(), vips.end()), vips.end());
    merged->clear_addresses();
    for (const auto& [net, addr] : vips) {
      auto* v = merged->add_addresses();
      v->set_network(net);
      v->set_address(addr);
    }
    merged->clear_subject_alt_names();
    for (const auto& san : sans)
      merged->add_subject_alt_names(san);
    return true;
  });
}

address_ptr mesh_index::compute(const std::string& name, const std::string& local_network) const {
  return is_workload_name(name) ? compute_workload(name, local_network) : compute_service(name);
}

std::vector<address_ptr> mesh_index::split_horizons() const {
  auto local = local_network();
  // (network, service key) → capacity, and a copy of the service that defines the ports.
  std::map<std::pair<std::string, std::string>, std::pair<uint32_t, const scoped_service*>> found;
  for (const auto& [id, s] : slots_) {
    if (!s.admitted || s.current->context().network == local)
      continue;
    const auto& idx = *s.current;
    for (const auto& [svc_key, count] : idx.endpoint_counts()) {
      auto svc = idx.services().find(svc_key);
      if (svc == idx.services().end() || svc->second.scope != service_scope::global)
        continue;
      auto& entry = found[{idx.context().network, svc_key}];
      entry.first += count;
      if (!entry.second)
        entry.second = &svc->second;
    }
  }
  std::vector<address_ptr> out;
  for (const auto& [k, entry] : found) {
    const auto* gw = gateway_for(k.first);
    if (!gw)
      continue; // no gateway into that network: its endpoints are unreachable
    auto w = split_horizon_workload(*gw, entry.second->service, entry.first, config_->trust_domain);
    auto name = w.uid();
    out.push_back(build_resource(std::move(name), [&w](istio::workload::Address& a) {
      *a.mutable_workload() = std::move(w); // a copy: `w` is on the heap, `a` on an arena
      return true;
    }));
  }
  return out;
}

std::map<std::string, address_ptr> mesh_index::recompute() const {
  mesh_index fresh{config_};
  for (const auto& [id, s] : slots_)
    if (s.admitted) {
      auto& f = fresh.slots_[id];
      f.generation = s.generation;
      f.current = s.current->rebuilt();
      f.admitted = true;
    }
  return fresh.compute_all();
}

std::map<std::string, address_ptr> mesh_index::compute_all() const {
  std::set<std::string> names;
  for (const auto& [id, s] : slots_)
    if (s.admitted) {
      for (const auto& [uid, w] : s.current->workloads())
        names.insert(uid);
      for (const auto& [key, svc] : s.current->services())
        names.insert(key);
    }
  std::map<std::string, address_ptr> out;
  auto local = local_network();
  for (const auto& n : names)
    if (auto r = compute(n, local))
      out.emplace(n, std::move(r));
  for (auto& r : split_horizons())
    out.emplace(r->name, r);
  return out;
}

mesh_delta mesh_index::take_delta() {
  auto local = local_network();
  for (auto& [id, s] : slots_)
    if (s.admitted)
      note_changes(s.current->take_changes(), s.current->context().network != local);
  mesh_delta out;
  auto apply = [&](const std::string& name, address_ptr next) {
    auto it = resources_.lower_bound(name);
    bool found = it != resources_.end() && it->first == name;
    if (!next) {
      if (found) {
        resources_.erase(it);
        out.removed.push_back(name);
      }
      return;
    }
    if (found) {
      if (it->second == next || it->second->bytes == next->bytes)
        return;
      it->second = next;
    } else {
      resources_.emplace_hint(it, name, next);
    }
    out.upserted.push_back(std::move(next));
  };
  if (dirty_all_) {
    dirty_all_ = false;
    dirty_split_horizon_ = true;
    for (const auto& [name, r] : resources_)
      if (!split_horizon_names_.contains(name))
        dirty_names_.insert(name);
    for (const auto& [id, s] : slots_)
      if (s.admitted)
        note_everything_of(*s.current);
    dirty_all_ = false;
  }
  local = local_network(); // the config cluster's changes may have moved it
  out.upserted.reserve(dirty_workloads_.size() + dirty_names_.size());
  for (const auto& w : dirty_workloads_)
    apply(w->name, compute_workload(w->name, local));
  dirty_workloads_.clear();
  for (const auto& name : dirty_names_)
    apply(name, compute(name, local));
  dirty_names_.clear();
  if (dirty_split_horizon_) {
    dirty_split_horizon_ = false;
    std::set<std::string> next_names;
    for (auto& r : split_horizons()) {
      next_names.insert(r->name);
      apply(r->name, r);
    }
    for (const auto& old : split_horizon_names_)
      if (!next_names.contains(old))
        apply(old, nullptr);
    split_horizon_names_ = std::move(next_names);
  }
  if (!out.empty())
    ++version_;
  out.version = version_;
  return out;
}

} // namespace ambient::mesh
