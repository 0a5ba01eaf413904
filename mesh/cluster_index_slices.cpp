#include "mesh/cluster_index.hpp"

#include <algorithm>
#include <iterator>

#include "mesh/endpoint_slice_builder.hpp"

/// cluster_index's EndpointSlices: the slices come in, name the pods they target, and become the
/// workloads of the endpoints that are not pods (endpoint_slice_builder.hpp), for the services
/// the cluster's service collection holds.
namespace ambient::mesh {

namespace {

/// (pod key, targetRef uid) pairs.
using target_list = std::vector<std::pair<std::string, std::string>>;

/// The pods a slice names (targetRef kind Pod), sorted. istiod's index of slice targets leaves
/// FQDN slices, and slices of no Service, out.
target_list pod_targets(const kube::endpoint_slice& s) {
  target_list out;
  if (s.address_type == "FQDN" || slice_service_key(s).empty())
    return out;
  for (const auto& e : s.endpoints)
    if (e.target_kind == "Pod")
      out.emplace_back(e.target_namespace + "/" + e.target_name, e.target_uid);
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

} // namespace

void cluster_index::upsert_slice(kube::endpoint_slice s) {
  auto key = kube::object_key(s.meta);
  auto it = slices_.find(key);
  const kube::endpoint_slice* old = nullptr;
  if (it != slices_.end()) {
    if (it->second == s)
      return; // a resync
    old = &it->second;
  }
  index_slice(old, &s, key);
  slices_.insert_or_assign(key, std::move(s));
  dirty_slices_.insert(std::move(key));
}

void cluster_index::remove_slice(const std::string& key) {
  auto it = slices_.find(key);
  if (it == slices_.end())
    return;
  index_slice(&it->second, nullptr, key);
  slices_.erase(it);
  dirty_slices_.insert(key);
}

void cluster_index::index_slice(const kube::endpoint_slice* before,
                                const kube::endpoint_slice* after, const std::string& key) {
  auto service_before = before ? slice_service_key(*before) : std::string{};
  auto service_after = after ? slice_service_key(*after) : std::string{};
  if (service_before != service_after) {
    if (auto it = slices_by_service_.find(service_before); it != slices_by_service_.end()) {
      it->second.erase(key);
      if (it->second.empty())
        slices_by_service_.erase(it);
    }
    if (!service_after.empty())
      slices_by_service_[service_after].insert(key);
  }
  // Only the pods whose binding changed are recomputed: a slice rewritten because one endpoint's
  // readiness flipped names the same pods, and they stay as they are.
  auto old_targets = before ? pod_targets(*before) : target_list{};
  auto new_targets = after ? pod_targets(*after) : target_list{};
  target_list gone, added;
  std::set_difference(old_targets.begin(), old_targets.end(), new_targets.begin(),
                      new_targets.end(), std::back_inserter(gone));
  std::set_difference(new_targets.begin(), new_targets.end(), old_targets.begin(),
                      old_targets.end(), std::back_inserter(added));
  for (auto& [pod_key, uid] : gone)
    if (auto it = slice_targets_.find(pod_key); it != slice_targets_.end()) {
      it->second.erase({key, uid});
      if (it->second.empty())
        slice_targets_.erase(it);
      mark_pod(pod_key);
    }
  for (auto& [pod_key, uid] : added) {
    slice_targets_[pod_key].insert({key, std::move(uid)});
    mark_pod(pod_key);
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
