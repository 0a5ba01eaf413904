#include "mesh/mesh_index.hpp"

#include <algorithm>
#include <string_view>

#include "mesh/resource_names.hpp"
#include "mesh/split_horizon.hpp"

/// The mesh index's computation: the merged resources the clusters' changes touched, split
/// horizon for remote networks, and the delta (mesh_index.cpp routes the objects in).
namespace ambient::mesh {

address_ptr mesh_index::compute_workload(const std::string& uid,
                                         const std::string& local_network) const {
  std::string_view cluster;
  if (classify_name(uid, &cluster) != name_kind::cluster_workload)
    return nullptr;
  auto it = slots_.find(cluster);
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
  switch (classify_name(name)) {
    case name_kind::service:
      return compute_service(name);
    case name_kind::cluster_workload:
      return compute_workload(name, local_network);
    default:
      return nullptr; // derived resources are computed together (derived_resources)
  }
}

std::vector<address_ptr> mesh_index::derived_resources() const {
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
  const auto gateways = merged_gateways();
  // A network's first gateway (the config cluster's first): "the first gateway is used".
  auto gateway_for = [&](const std::string& network) -> const network_gateway* {
    for (const auto* gw : gateways)
      if (gw->network == network)
        return gw;
    return nullptr;
  };
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
  // istiod's GlobalNetworkGatewayWorkloads: one per merged gateway, of every network (the
  // local-network filter keeps them by their uid's prefix).
  std::set<std::string> gateway_uids;
  for (const auto* gw : gateways) {
    auto w = network_gateway_workload(*gw, config_->trust_domain);
    if (!gateway_uids.insert(w.uid()).second)
      continue; // two Gateways with one address and port: the first one's stands
    auto name = w.uid();
    out.push_back(build_resource(std::move(name), [&w](istio::workload::Address& a) {
      *a.mutable_workload() = std::move(w);
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
  // The policies as the fresh config cluster's store gives them, and the pods' gateways as the
  // fresh view's own gateways give them.
  mesh_delta ignored;
  fresh.take_policies(ignored);
  fresh.take_gateway_classes();
  auto gateways = fresh.pod_gateways();
  for (auto& [id, s] : fresh.slots_) {
    s.current->set_pod_gateways(gateways);
    s.current->take_changes();
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
  for (auto& r : derived_resources())
    out.emplace(r->name, r);
  return out;
}

void mesh_index::take_cluster_changes() {
  auto local = local_network();
  for (auto& [id, s] : slots_)
    if (s.admitted) {
      note_changes(s.current->take_changes(), s.current->context().network != local);
      auto [counts, notes] = s.current->skips().take();
      skips_.add_all(counts, std::move(notes));
    }
}

mesh_delta mesh_index::take_delta() {
  mesh_delta out;
  take_policies(out);
  take_gateway_classes();
  take_cluster_changes();
  if (dirty_all_) {
    // The gateways may have moved: the pods of a network whose HBONE gateway changed are
    // recomputed, in a second round.
    if (auto next = pod_gateways(); next != pod_gateways_) {
      pod_gateways_ = std::move(next);
      for (auto& [id, s] : slots_) {
        if (s.current)
          s.current->set_pod_gateways(pod_gateways_);
        if (s.pending)
          s.pending->set_pod_gateways(pod_gateways_);
      }
      take_cluster_changes();
    }
  }
  auto local = local_network();
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
    dirty_derived_ = true;
    for (const auto& [name, r] : resources_)
      if (!derived_names_.contains(name))
        dirty_names_.insert(name);
    for (const auto& [id, s] : slots_)
      if (s.admitted)
        note_everything_of(*s.current);
    dirty_all_ = false;
  }
  out.upserted.reserve(dirty_workloads_.size() + dirty_names_.size());
  for (const auto& w : dirty_workloads_)
    apply(w->name, compute_workload(w->name, local));
  dirty_workloads_.clear();
  for (const auto& name : dirty_names_)
    apply(name, compute(name, local));
  dirty_names_.clear();
  if (dirty_derived_) {
    dirty_derived_ = false;
    std::set<std::string> next_names;
    for (auto& r : derived_resources()) {
      next_names.insert(r->name);
      apply(r->name, r);
    }
    for (const auto& old : derived_names_)
      if (!next_names.contains(old))
        apply(old, nullptr);
    derived_names_ = std::move(next_names);
  }
  if (!out.empty())
    ++version_;
  out.version = version_;
  return out;
}

} // namespace ambient::mesh
