#include "mesh/cluster_index.hpp"

#include <type_traits>

#include "mesh/service_builder.hpp"
#include "mesh/workload_builder.hpp"

namespace ambient::mesh {

namespace {

constexpr std::string_view network_label = "topology.istio.io/network";

std::string namespace_of(const std::string& key) {
  auto slash = key.find('/');
  return slash == std::string::npos ? std::string{} : key.substr(0, slash);
}

std::string service_key(const istio::workload::Service& s) {
  return s.namespace_() + "/" + s.hostname();
}

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
    filter_(selectors_for(*config_, ctx_.cluster_id)) {
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
  for (const auto& ns : c.added)
    mark_namespace(ns);
  for (const auto& ns : c.removed)
    mark_namespace(ns);
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
        }
        auto key = kube::object_key(o.meta);
        if constexpr (std::is_same_v<T, kube::service>) {
          if (auto old = k8s_services_.find(key); old != k8s_services_.end())
            index_selector(old->second, key, false);
          index_selector(o, key, true);
          k8s_services_.insert_or_assign(key, o);
          services_by_namespace_[o.meta.namespace_].insert(key);
          dirty_services_.insert(key);
          mark_pods_of(o.meta.namespace_); // its selector may pick other pods now
        } else if constexpr (std::is_same_v<T, kube::namespace_>) {
          namespaces_.insert_or_assign(key, o);
          apply_filter(filter_.on_namespace(o));
          mark_namespace(key); // dataplane mode and service scope come from its labels
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
        }
        // EndpointSlices, Secrets, ConfigMaps and Leases do not shape the ambient index.
      },
      std::forward<Object>(object));
}

void cluster_index::upsert_pod(kube::pod p) {
  auto key = kube::object_key(p.meta);
  auto [it, inserted] = pods_.try_emplace(key);
  auto& rec = it->second;
  if (inserted) {
    rec.uid = pod_uid(ctx_.cluster_id, key);
    pods_by_namespace_[p.meta.namespace_].insert(key);
    pods_by_node_[p.node_name].insert(key);
  } else if (rec.pod == p) {
    return; // a resync: nothing the workload is built from changed
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
        pods_by_node_[it->second.pod.node_name].erase(key);
        pods_by_namespace_[it->second.pod.meta.namespace_].erase(key);
        pods_.erase(it);
        dirty_pods_.push_back(key);
      }
      break;
    case kube::resource_kind::services:
      if (auto it = k8s_services_.find(key); it != k8s_services_.end()) {
        index_selector(it->second, key, false);
        k8s_services_.erase(it);
        auto ns = namespace_of(key);
        dirty_services_.insert(key);
        mark_pods_of(ns);
        services_by_namespace_[ns].erase(key);
      }
      break;
    case kube::resource_kind::namespaces:
      if (namespaces_.erase(key) > 0) {
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
      if (k8s_gateways_.erase(key) > 0)
        dirty_gateways_ = true;
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

void cluster_index::on_synced() {
  apply_filter(filter_.on_synced());
}

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
          if (auto s = k8s_services_.find(skey); s != k8s_services_.end() && selects(s->second, p))
            in.services.push_back(&s->second);
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
    // Outputs of deleted inputs are recomputed (to removal) through their dirty keys already.
    dirty_gateways_ = true;
  }
  for (const auto& key : dirty_services_)
    recompute_service(key, out);
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
        for (auto& gw : network_gateways_of(g, ctx_, ctx_.is_config_cluster))
          next.push_back(std::move(gw));
    if (next != gateways_) {
      gateways_ = std::move(next);
      out.gateways = true;
    }
  }
  return out;
}

} // namespace ambient::mesh
