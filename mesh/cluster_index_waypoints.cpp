#include "mesh/cluster_index.hpp"

#include <algorithm>

/// cluster_index's waypoints: the classes they read, who refers to them, and how one object binds
/// (mesh/waypoint.hpp has the rules, mesh/waypoint_store.hpp the per-cluster waypoints).
namespace ambient::mesh {

void cluster_index::set_gateway_classes(std::shared_ptr<const gateway_class_map> classes) {
  if (class_source_ && classes && (class_source_ == classes || *class_source_ == *classes))
    return;
  class_source_ = std::move(classes);
  waypoints_.mark_all();
}

void cluster_index::mark_waypoint_referrers(const std::string& key) {
  for (const auto& pod : waypoints_.pods_naming(key))
    mark_pod(pod);
  for (const auto& svc : waypoints_.services_naming(key))
    dirty_services_.insert(svc);
  for (const auto& ns : waypoints_.namespaces_naming(key)) {
    mark_pods_of(ns);
    if (auto it = services_by_namespace_.find(ns); it != services_by_namespace_.end())
      dirty_services_.insert(it->second.begin(), it->second.end());
  }
  for (const auto& [pod, account] : waypoints_.instances_of(key))
    mark_pod(pod);
}

namespace {

/// `ns` without its resource version and its waypoint labels: what else of it can matter.
kube::namespace_ without_waypoint_labels(kube::namespace_ ns) {
  ns.meta.resource_version.clear();
  std::erase_if(ns.meta.labels, [](const auto& kv) {
    return kv.first == use_waypoint_label || kv.first == use_waypoint_namespace_label
           || kv.first == ingress_use_waypoint_label;
  });
  return ns;
}

} // namespace

void cluster_index::mark_relabelled_namespace(const kube::namespace_& before,
                                              const kube::namespace_& after) {
  const auto& ns = after.meta.name;
  if (before == after)
    return; // a resync
  if (!(without_waypoint_labels(before) == without_waypoint_labels(after))) {
    mark_namespace(ns);
    return;
  }
  if (auto it = services_by_namespace_.find(ns); it != services_by_namespace_.end())
    dirty_services_.insert(it->second.begin(), it->second.end());
  // The pods' outputs were computed with the waypoints as they are now (before this round's
  // take): they can move only if the old or the new name binds workloads. A waypoint that
  // changes this round marks this namespace again as its referrer.
  auto binds_workloads = [&](const kube::namespace_& n) {
    auto named = named_waypoint(n.meta.labels, ns);
    if (!named)
      return false;
    auto w = waypoints_.waypoints().find(*named);
    return w != waypoints_.waypoints().end()
           && (w->second.traffic_type == "workload" || w->second.traffic_type == "all");
  };
  if (binds_workloads(before) || binds_workloads(after))
    mark_pods_of(ns);
}

namespace {

waypoint_binding bind_in(const std::map<std::string, kube::namespace_>& namespaces,
                         const kube::object_meta& meta, const waypoint_map& waypoints,
                         waypoint_target target) {
  auto ns = namespaces.find(meta.namespace_);
  return bind_waypoint(meta, ns == namespaces.end() ? nullptr : &ns->second, waypoints, target);
}

} // namespace

waypoint_binding cluster_index::bind(const kube::object_meta& meta, waypoint_target target) {
  auto b = bind_in(namespaces_, meta, waypoints_.waypoints(), target);
  auto note = [&](skip_reason r, std::string detail) {
    skips_.add(r, ctx_.cluster_id, kube::object_key(meta), std::move(detail));
  };
  switch (b.error) {
    case binding_error::not_ready:
      note(skip_reason::waypoint_not_ready, "waypoint " + b.named
                                                + " is not ready (no Gateway "
                                                  "with a status address of that name)");
      break;
    case binding_error::attachment_denied:
      note(skip_reason::waypoint_attachment_denied,
           "waypoint " + b.named + " does not allow routes from namespace " + meta.namespace_);
      break;
    case binding_error::unsupported_traffic:
      // A namespace label naming a waypoint for services only is the common case for its pods:
      // only an object's own label naming the wrong kind of waypoint is noted.
      if (kube::lookup(meta.labels, use_waypoint_label))
        note(skip_reason::waypoint_traffic_type,
             "waypoint " + b.named + " takes traffic for " + quoted(b.found->traffic_type)
                 + ", not for " + (target == waypoint_target::service ? "services" : "workloads"));
      break;
    case binding_error::none:
      if (b.bound != nullptr && !b.bound->address)
        note(skip_reason::waypoint_no_address, "waypoint " + b.named + " has no usable address");
      break;
  }
  return b;
}

std::optional<waypoint_binding> cluster_index::service_waypoint(const std::string& key) const {
  auto it = k8s_services_.find(key);
  if (it == k8s_services_.end())
    return std::nullopt;
  return bind_in(namespaces_, it->second.meta, waypoints_.waypoints(), waypoint_target::service);
}

std::optional<waypoint_binding> cluster_index::pod_waypoint(const std::string& key) const {
  auto it = pods_.find(key);
  if (it == pods_.end())
    return std::nullopt;
  return bind_in(namespaces_, it->second.pod.meta, waypoints_.waypoints(),
                 waypoint_target::workload);
}

void cluster_index::report_waypoints(waypoint_report& out) const {
  std::map<std::string, std::pair<uint32_t, uint32_t>> bound; // key → (services, workloads)
  auto add = [&](const char* kind, const kube::object_meta& meta, waypoint_target target) {
    auto b = bind_in(namespaces_, meta, waypoints_.waypoints(), target);
    if (b.named.empty())
      return;
    if (b.bound != nullptr && target == waypoint_target::workload) {
      ++bound[b.named].second; // bound pods are counted, not listed: /debug/workloads has them
      return;
    }
    waypoint_report::binding row;
    row.cluster = ctx_.cluster_id;
    row.kind = kind;
    row.object = kube::object_key(meta);
    row.waypoint = b.named;
    row.status = b.bound != nullptr ? "Bound" : std::string{to_string(b.error)};
    row.has_address = b.bound != nullptr && b.bound->address.has_value();
    if (b.bound != nullptr) {
      ++bound[b.named].first;
      auto ns = namespaces_.find(meta.namespace_);
      row.ingress_use_waypoint = ingress_use_waypoint(
          meta.labels, ns == namespaces_.end() ? nullptr : &ns->second.meta.labels);
    }
    out.bindings.push_back(std::move(row));
  };
  for (const auto& [key, s] : k8s_services_)
    if (filter_.admits(s.meta.namespace_))
      add("Service", s.meta, waypoint_target::service);
  std::vector<const kube::pod*> pods;
  for (const auto& [key, rec] : pods_)
    if (filter_.admits(rec.pod.meta.namespace_)
        && !waypoint_instance_of(rec.pod.meta, waypoints_.waypoints()))
      pods.push_back(&rec.pod);
  std::sort(pods.begin(), pods.end(), [](const auto* a, const auto* b) {
    return a->meta.namespace_ < b->meta.namespace_
           || (a->meta.namespace_ == b->meta.namespace_ && a->meta.name < b->meta.name);
  });
  for (const auto* p : pods)
    add("Pod", p->meta, waypoint_target::workload);
  for (const auto& [key, w] : waypoints_.waypoints()) {
    waypoint_report::row row{ctx_.cluster_id, w, 0, 0,
                             static_cast<uint32_t>(waypoints_.instances_of(key).size())};
    if (auto it = bound.find(key); it != bound.end()) {
      row.services = it->second.first;
      row.workloads = it->second.second;
    }
    out.waypoints.push_back(std::move(row));
  }
}

} // namespace ambient::mesh
