#include "mesh/cluster_index.hpp"

#include <algorithm>

#include "mesh/endpoint_slice_builder.hpp"
#include "mesh/service_builder.hpp"
#include "mesh/workload_builder.hpp"

/// The second half of cluster_index: from what the objects marked dirty to the changed
/// resources (the first half, cluster_index.cpp, takes the objects in and marks).
namespace ambient::mesh {

namespace {

std::string service_key(const istio::workload::Service& s) {
  return s.namespace_() + "/" + s.hostname();
}

} // namespace

void cluster_index::recompute_service(const std::string& key, index_changes& out) {
  std::optional<scoped_service> next;
  auto it = k8s_services_.find(key);
  if (it != k8s_services_.end() && filter_.admits(it->second.meta.namespace_)) {
    if (auto svc = build_service(it->second, ctx_)) {
      auto ns = namespaces_.find(it->second.meta.namespace_);
      // istiod answers LOCAL while the Service's Namespace object is unknown.
      auto scope = ns == namespaces_.end()
                       ? service_scope::local
                       : scope_of(*config_, ns->second.meta.labels, it->second.meta.labels);
      auto b = bind(it->second.meta, waypoint_target::service);
      if (b.bound != nullptr && b.bound->address) {
        fill_gateway_address(*b.bound->address, *svc->mutable_waypoint());
        const auto& a = *b.bound->address;
        if (a.is_hostname && a.value == svc->hostname()
            && a.namespace_or_network == svc->namespace_())
          skips_.add(skip_reason::waypoint_self_reference, ctx_.cluster_id, key,
                     "the Service is bound to waypoint " + b.named
                         + ", which it is the address of: label it gateway.istio.io/managed="
                           "istio.io-mesh-controller or istio.io/use-waypoint=none");
      }
      next = scoped_service{std::move(*svc), scope};
    }
  }
  auto previous = service_output_.find(key);
  if (previous != service_output_.end()
      && (!next || previous->second != service_key(next->service))) {
    services_.erase(previous->second);
    out.services.insert(previous->second);
    service_output_.erase(previous);
  }
  if (next) {
    auto host = service_key(next->service);
    service_output_[key] = host;
    out.services.insert(host);
    services_.insert_or_assign(host, std::move(*next));
  }
}

void cluster_index::count_endpoint(const istio::workload::Workload& w, int delta,
                                   index_changes& out) {
  auto identity = w.namespace_() + "/" + w.service_account();
  for (const auto& [svc, ports] : w.services()) {
    out.services.insert(svc);
    if (delta > 0) {
      ++endpoint_counts_[svc];
      ++service_identities_[svc][identity];
      continue;
    }
    if (auto c = endpoint_counts_.find(svc); c != endpoint_counts_.end() && --c->second == 0)
      endpoint_counts_.erase(c);
    auto ids = service_identities_.find(svc);
    if (ids == service_identities_.end())
      continue;
    if (auto i = ids->second.find(identity); i != ids->second.end() && --i->second == 0)
      ids->second.erase(i);
    if (ids->second.empty())
      service_identities_.erase(ids);
  }
}

namespace {

/// Whether `a` and `b` count alike for their services: the same services, with the same identity.
/// Most pod changes (an IP, readiness, a label) leave this as it is, and then no service moves.
bool same_endpoints(const istio::workload::Workload& a, const istio::workload::Workload& b) {
  if (a.services_size() != b.services_size() || a.namespace_() != b.namespace_()
      || a.service_account() != b.service_account())
    return false;
  for (const auto& [svc, ports] : a.services())
    if (b.services().count(svc) == 0)
      return false;
  return true;
}

} // namespace

void cluster_index::set_workload(const std::string& uid, address_ptr next, index_changes& out) {
  auto old = workloads_.find(uid);
  if (old == workloads_.end()) {
    if (!next)
      return;
    count_endpoint(next->address.workload(), +1, out);
    out.workloads.push_back(next);
    workloads_.emplace(uid, std::move(next));
  } else if (!next) {
    count_endpoint(old->second->address.workload(), -1, out);
    out.workloads.push_back(std::move(old->second));
    workloads_.erase(old);
  } else {
    if (old->second->bytes == next->bytes)
      return; // unchanged: keep the resource everyone already shares
    // Keep the per-service endpoint counts (split-horizon capacities) in step.
    const auto& before = old->second->address.workload();
    const auto& after = next->address.workload();
    if (!same_endpoints(before, after)) {
      count_endpoint(before, -1, out);
      count_endpoint(after, +1, out);
    }
    old->second = next;
    out.workloads.push_back(std::move(next));
  }
}

void cluster_index::recompute_pod(const std::string& key, index_changes& out) {
  auto it = pods_.find(key);
  if (it == pods_.end()) {
    set_workload(pod_uid(ctx_.cluster_id, key), nullptr, out);
    return;
  }
  auto& rec = it->second;
  rec.dirty = false;
  const auto& p = rec.pod;
  if (!filter_.admits(p.meta.namespace_)) {
    set_workload(rec.uid, nullptr, out);
    return;
  }
  workload_inputs in;
  if (auto ns = namespaces_.find(p.meta.namespace_); ns != namespaces_.end())
    in.ns = &ns->second;
  if (auto n = nodes_.find(p.node_name); n != nodes_.end())
    in.node = &n->second;
  // A service is indexed under one label of its selector only, so no service is found twice.
  if (auto by_ns = services_by_selector_.find(p.meta.namespace_);
      by_ns != services_by_selector_.end())
    for (const auto& label : p.meta.labels)
      if (auto c = by_ns->second.find(label); c != by_ns->second.end())
        for (const auto& skey : c->second)
          if (const auto* s = collected_service(skey); s != nullptr && selects(*s, p))
            in.services.push_back(s);
  // Services without a selector whose slices name this very pod (by uid): istiod's
  // matchingServicesWithoutSelectors (workloads.go:950-999).
  if (auto t = slice_targets_.find(key); t != slice_targets_.end() && !p.meta.uid.empty())
    for (const auto& [slice_key, target_uid] : t->second) {
      auto sl = slices_.find(slice_key);
      if (target_uid != p.meta.uid || sl == slices_.end())
        continue;
      const auto* s = collected_service(slice_service_key(sl->second));
      if (s != nullptr && std::find(in.services.begin(), in.services.end(), s) == in.services.end())
        in.services.push_back(s);
    }
  if (auto gw = pod_gateways_.find(ctx_.network); gw != pod_gateways_.end())
    in.gateway = &gw->second;
  if (const auto* instance = waypoint_instance_of(p.meta, waypoints_.waypoints())) {
    if (instance->binding)
      in.application_tunnel = &*instance->binding;
  } else if (auto b = bind(p.meta, waypoint_target::workload); b.bound && b.bound->address) {
    in.waypoint = &*b.bound->address;
  }
  std::vector<std::string> policies;
  if (policy_index_) {
    policies = policy_index_->workload_policies(p.meta.namespace_, p.meta.labels);
    in.authorization_policies = &policies;
  }
  auto next = build_resource(rec.uid, [&](istio::workload::Address& a) {
    return build_pod_workload_into(p, in, ctx_, *a.mutable_workload());
  });
  set_workload(rec.uid, std::move(next), out);
}

std::unique_ptr<cluster_index> cluster_index::rebuilt() const {
  auto ctx = ctx_;
  ctx.network = configured_network_;
  auto out = std::make_unique<cluster_index>(std::move(ctx), config_, system_namespace_);
  for (const auto& [k, o] : namespaces_)
    out->upsert(o);
  for (const auto& [k, o] : nodes_)
    out->upsert(o);
  for (const auto& [k, o] : k8s_services_)
    out->upsert(o);
  for (const auto& [k, rec] : pods_)
    out->upsert(rec.pod);
  for (const auto& [k, o] : k8s_gateways_)
    out->upsert(o);
  for (const auto& [k, o] : slices_)
    out->upsert(o);
  policies_.each_object([&](const auto& o) { out->policies_.upsert(o); });
  for (const auto& [k, o] : gateway_classes_)
    out->upsert(o);
  out->pod_gateways_ = pod_gateways_;
  out->policy_index_ = policy_index_;
  out->class_source_ = class_source_;
  if (filter_.synced())
    out->on_synced();
  out->take_changes();
  return out;
}

index_changes cluster_index::take_changes() {
  index_changes out;
  if (dirty_all_) {
    dirty_all_ = false;
    auto network = network_of_system_namespace();
    out.network = network != ctx_.network;
    ctx_.network = std::move(network);
    for (const auto& [key, rec] : pods_)
      mark_pod(key);
    for (const auto& [key, s] : k8s_services_)
      dirty_services_.insert(key);
    for (const auto& [key, s] : slices_)
      dirty_slices_.insert(key);
    // Outputs of deleted inputs are recomputed (to removal) through their dirty keys already.
    dirty_gateways_ = true;
    waypoints_.mark_all();
  }
  // Waypoints first: a changed one marks the services and pods that bind it.
  static const gateway_class_map no_classes;
  waypoint_inputs win{k8s_gateways_,
                      class_source_ ? *class_source_ : no_classes,
                      [this](const std::string& ns) { return filter_.admits(ns); },
                      ctx_.network,
                      ctx_.is_config_cluster || !ctx_.network.empty(),
                      ctx_.cluster_id};
  for (const auto& key : waypoints_.take(win, skips_))
    mark_waypoint_referrers(key);
  for (const auto& key : dirty_services_) {
    recompute_service(key, out);
    mark_slices_of(key);
  }
  for (const auto& key : dirty_slices_)
    recompute_slice(key, out);
  dirty_slices_.clear();
  // One allocation up front: a growing vector's large reallocations make malloc consolidate its
  // free lists, which costs more than the recomputation.
  out.workloads.reserve(dirty_pods_.size());
  for (const auto& key : dirty_pods_)
    recompute_pod(key, out);
  dirty_services_.clear();
  dirty_pods_.clear();
  if (dirty_gateways_) {
    dirty_gateways_ = false;
    std::vector<network_gateway> next;
    for (const auto& [key, g] : k8s_gateways_)
      if (filter_.admits(g.meta.namespace_))
        for (auto& gw : network_gateways_of(g, ctx_, ctx_.is_config_cluster, &skips_))
          next.push_back(std::move(gw));
    if (next != gateways_) {
      gateways_ = std::move(next);
      out.gateways = true;
    }
  }
  return out;
}

} // namespace ambient::mesh
