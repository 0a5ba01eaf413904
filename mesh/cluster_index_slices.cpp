#include "mesh/cluster_index.hpp"

#include <algorithm>

#include "mesh/endpoint_slice_builder.hpp"

/// cluster_index's EndpointSlices: the slices come in, name the pods they target, and become the
/// workloads of the endpoints that are not pods (endpoint_slice_builder.hpp), for the services
/// the cluster's service collection holds.
namespace ambient::mesh {

void cluster_index::upsert_slice(kube::endpoint_slice s) {
  auto key = kube::object_key(s.meta);
  auto it = slices_.find(key);
  if (it != slices_.end()) {
    if (it->second == s)
      return; // a resync
    index_slice(it->second, key, false);
  }
  index_slice(s, key, true);
  slices_.insert_or_assign(key, std::move(s));
  dirty_slices_.insert(std::move(key));
}

void cluster_index::remove_slice(const std::string& key) {
  auto it = slices_.find(key);
  if (it == slices_.end())
    return;
  index_slice(it->second, key, false);
  slices_.erase(it);
  dirty_slices_.insert(key);
}

void cluster_index::index_slice(const kube::endpoint_slice& s, const std::string& key, bool add) {
  auto service = slice_service_key(s);
  if (service.empty())
    return; // not a Service's slice: it counts for nothing
  if (add) {
    slices_by_service_[service].insert(key);
  } else if (auto it = slices_by_service_.find(service); it != slices_by_service_.end()) {
    it->second.erase(key);
    if (it->second.empty())
      slices_by_service_.erase(it);
  }
  if (s.address_type == "FQDN")
    return; // istiod's index of slice targets leaves FQDN slices out
  std::string pod_key;
  for (const auto& e : s.endpoints) {
    if (e.target_kind != "Pod")
      continue;
    pod_key.assign(e.target_namespace).append("/").append(e.target_name);
    std::pair<std::string, std::string> entry{key, e.target_uid};
    if (add) {
      if (slice_targets_[pod_key].insert(std::move(entry)).second)
        mark_pod(pod_key);
    } else if (auto it = slice_targets_.find(pod_key); it != slice_targets_.end()) {
      if (it->second.erase(entry) > 0)
        mark_pod(pod_key);
      if (it->second.empty())
        slice_targets_.erase(it);
    }
  }
}

void cluster_index::mark_slices_of(const std::string& service_key) {
  auto it = slices_by_service_.find(service_key);
  if (it == slices_by_service_.end())
    return;
  std::string pod_key;
  for (const auto& key : it->second) {
    dirty_slices_.insert(key);
    // The pods it names may list the Service (or stop listing it) without a selector.
    if (auto s = slices_.find(key); s != slices_.end())
      for (const auto& e : s->second.endpoints)
        if (e.target_kind == "Pod")
          mark_pod(pod_key.assign(e.target_namespace).append("/").append(e.target_name));
  }
}

const kube::service* cluster_index::collected_service(const std::string& key) const {
  auto out = service_output_.find(key);
  if (out == service_output_.end())
    return nullptr; // not built (ExternalName, a bad VIP) or not admitted
  if (!ctx_.is_config_cluster) {
    auto s = services_.find(out->second);
    if (s == services_.end() || s->second.scope != service_scope::global)
      return nullptr;
  }
  auto it = k8s_services_.find(key);
  return it == k8s_services_.end() ? nullptr : &it->second;
}

void cluster_index::recompute_slice(const std::string& key, index_changes& out) {
  std::vector<address_ptr> next;
  if (auto it = slices_.find(key); it != slices_.end()) {
    const auto& sl = it->second;
    bool has_own_endpoints = std::any_of(sl.endpoints.begin(), sl.endpoints.end(),
                                         [](const auto& e) { return e.target_kind != "Pod"; });
    auto service = slice_service_key(sl);
    if (has_own_endpoints && !service.empty() && filter_.admits(sl.meta.namespace_)
        && slice_address_type_usable(sl, ctx_.cluster_id, skips_))
      if (const auto* svc = collected_service(service))
        next = build_slice_workloads(sl, *svc, ctx_, skips_);
  }
  auto old = slice_uids_.find(key);
  std::vector<std::string> uids;
  uids.reserve(next.size());
  for (const auto& r : next)
    uids.push_back(r->name);
  if (old != slice_uids_.end())
    for (const auto& uid : old->second)
      if (std::find(uids.begin(), uids.end(), uid) == uids.end())
        set_workload(uid, nullptr, out);
  for (auto& r : next) {
    auto uid = r->name;
    set_workload(uid, std::move(r), out);
  }
  if (uids.empty()) {
    if (old != slice_uids_.end())
      slice_uids_.erase(old);
  } else {
    slice_uids_[key] = std::move(uids);
  }
}

} // namespace ambient::mesh
