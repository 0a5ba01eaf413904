#include "sim/workload.hpp"

#include <chrono>

#include "sim/objects.hpp"

namespace ambient::sim {

namespace {

const resource_type& res(const char* group, const char* name) {
  const auto* r = find_resource(group, "v1", name);
  return *r;
}

void must_create(store& s, const resource_type& rt, const std::string& ns,
                 const std::string& json) {
  auto r = create_generated(s, rt, ns, json);
  if (r.error && r.error->code != 409)
    throw std::runtime_error("kube-sim: seeding " + rt.kind + " failed: " + r.error->message);
}

pod_params pod_for(const seeded_cluster& c, const seeded_cluster::service_ref& svc, uint32_t i) {
  pod_params p;
  p.namespace_ = svc.namespace_;
  p.owner_name = svc.app + "-5d8f7c9b4";
  p.name = p.owner_name + "-" + std::to_string(i);
  p.node_name = c.nodes[i % c.nodes.size()];
  p.host_ip = node_ip(c.cluster_index, i % static_cast<uint32_t>(c.nodes.size()));
  p.pod_ip = pod_ip(c.cluster_index, i);
  p.service_account = svc.app;
  p.labels = {{"app", svc.app}, {"version", "v1"}, {"pod-template-hash", "5d8f7c9b4"}};
  p.container_ports = {{"http", 8080}, {"grpc", 9090}};
  if (c.ambient) // what istio-cni writes on a pod it redirected (istiod reads this, not the label)
    p.annotations["ambient.istio.io/redirection"] = "enabled";
  return p;
}

} // namespace

seeded_cluster seed_workloads(store& s, uint32_t cluster_index, const workload_shape& shape) {
  seeded_cluster c;
  c.cluster_index = cluster_index;
  c.ambient = shape.ambient;
  auto now = std::chrono::system_clock::now();
  const auto& ns_res = res("", "namespaces");
  const auto& node_res = res("", "nodes");
  const auto& svc_res = res("", "services");
  const auto& pod_res = res("", "pods");
  for (uint32_t i = 0; i < std::max<uint32_t>(1, shape.namespaces); ++i) {
    auto name = "app-" + std::to_string(i + 1);
    std::map<std::string, std::string> labels;
    if (shape.ambient)
      labels["istio.io/dataplane-mode"] = "ambient";
    must_create(s, ns_res, "", make_namespace_json(name, labels, now));
    c.namespaces.push_back(name);
  }
  static const char* zones[] = {"a", "b", "c"};
  for (uint32_t i = 0; i < std::max<uint32_t>(1, shape.nodes); ++i) {
    auto name = "node-" + std::to_string(i + 1);
    auto region = "region-" + std::to_string(cluster_index + 1);
    must_create(
        s, node_res, "",
        make_node_json(name, region, region + zones[i % 3], node_ip(cluster_index, i), now));
    c.nodes.push_back(name);
  }
  for (uint32_t i = 0; i < std::max<uint32_t>(1, shape.services); ++i) {
    seeded_cluster::service_ref svc;
    svc.namespace_ = c.namespaces[i % c.namespaces.size()];
    svc.app = "svc-" + std::to_string(i + 1);
    svc.name = svc.app;
    must_create(s, svc_res, svc.namespace_,
                make_service_json(svc.namespace_, svc.name, {{"app", svc.app}},
                                  service_ip(cluster_index, i),
                                  {{"http", 80, "http"}, {"grpc", 9090, "9090"}}, now));
    c.services.push_back(std::move(svc));
  }
  for (uint32_t i = 0; i < shape.pods; ++i) {
    const auto& svc = c.services[i % c.services.size()];
    must_create(s, pod_res, svc.namespace_, make_pod_json(pod_for(c, svc, i), now));
  }
  c.next_pod = shape.pods;
  return c;
}

churn_driver::churn_driver(store& s, seeded_cluster seed, uint64_t rng_seed)
  : store_(s), seed_(std::move(seed)), rng_(rng_seed) {
  const auto& pod_res = res("", "pods");
  for (const auto& ns : seed_.namespaces) {
    object_filter f;
    f.namespace_ = ns;
    for (const auto& o : store_.list(pod_res, f, 0, {}).items)
      live_pods_.emplace_back(o->namespace_, o->name);
  }
}

churn_driver::~churn_driver() {
  stop();
}

churn_kind churn_driver::step() {
  const auto& pod_res = res("", "pods");
  auto now = std::chrono::system_clock::now();
  auto pick = std::uniform_int_distribution<int>{0, 3}(rng_);
  if (live_pods_.empty())
    pick = 0;
  if (pick == 0) { // create
    // A driver started again from the same seed (churn stopped and restarted) meets the names an
    // earlier driver created: skip past them rather than lose the create.
    for (int attempt = 0; attempt < 100'000; ++attempt) {
      auto i = seed_.next_pod++;
      const auto& svc = seed_.services[i % seed_.services.size()];
      auto p = pod_for(seed_, svc, i);
      auto obj = parse_json(make_pod_json(p, now), nullptr);
      if (obj && !store_.create(pod_res, p.namespace_, std::move(*obj)).error) {
        live_pods_.emplace_back(p.namespace_, p.name);
        ++applied_;
        break;
      }
    }
    return churn_kind::create_pod;
  }
  auto idx = std::uniform_int_distribution<size_t>{0, live_pods_.size() - 1}(rng_);
  auto [ns, name] = live_pods_[idx];
  if (pick == 1) { // delete
    store_.remove(pod_res, ns, name);
    live_pods_[idx] = live_pods_.back();
    live_pods_.pop_back();
    ++applied_;
    return churn_kind::delete_pod;
  }
  auto current = store_.get(pod_res, ns, name);
  if (!current.object)
    return churn_kind::flip_readiness;
  auto obj = parse_json(current.object->json, nullptr);
  if (pick == 2) { // readiness flip on the Ready condition
    if (auto* conds = find_path(*obj, {"status", "conditions"}); conds && conds->is_array())
      for (auto& c : *conds)
        if (const auto* t = find_path(c, {"type"}); t && *t == "Ready") {
          const auto* status = find_path(c, {"status"});
          c["status"] = status && *status == "True" ? "False" : "True";
        }
    store_.update(pod_res, ns, name, std::move(*obj));
    ++applied_;
    return churn_kind::flip_readiness;
  }
  auto& labels = (*obj)["metadata"]["labels"];
  labels["churn"] = std::to_string(applied_.load());
  store_.update(pod_res, ns, name, std::move(*obj));
  ++applied_;
  return churn_kind::relabel_pod;
}

void churn_driver::start(double events_per_second) {
  run(events_per_second, [this] { step(); });
}

void churn_driver::start_stamped(double events_per_second, std::string prefix) {
  stop();
  stamp_prefix_ = std::move(prefix);
  run(events_per_second, [this] { stamped_step(); });
}

void churn_driver::stamped_step() {
  if (live_pods_.empty())
    return;
  const auto& pod_res = res("", "pods");
  auto idx = std::uniform_int_distribution<size_t>{0, live_pods_.size() - 1}(rng_);
  const auto& [ns, name] = live_pods_[idx];
  auto current = store_.get(pod_res, ns, name);
  if (!current.object)
    return;
  auto obj = parse_json(current.object->json, nullptr);
  if (!obj)
    return;
  uint64_t n = 0;
  {
    std::lock_guard g{stamps_mutex_};
    n = stamps_.size();
  }
  (*obj)["metadata"]["labels"]["service.istio.io/canonical-revision"]
      = stamp_prefix_ + std::to_string(n);
  store_.update(pod_res, ns, name, std::move(*obj));
  auto at = std::chrono::duration_cast<std::chrono::nanoseconds>(
                std::chrono::steady_clock::now().time_since_epoch())
                .count();
  ++applied_;
  std::lock_guard g{stamps_mutex_};
  stamps_.push_back({n, at});
}

std::vector<churn_driver::stamp> churn_driver::stamps() const {
  std::lock_guard g{stamps_mutex_};
  return stamps_;
}

void churn_driver::run(double events_per_second, const std::function<void()>& one) {
  stop();
  running_ = true;
  thread_ = std::thread([this, events_per_second, one] {
    using clock = std::chrono::steady_clock;
    auto interval = std::chrono::duration<double>(1.0 / std::max(0.001, events_per_second));
    auto next = clock::now();
    while (running_.load()) {
      one();
      next += std::chrono::duration_cast<clock::duration>(interval);
      auto now = clock::now();
      if (next > now)
        std::this_thread::sleep_until(next);
      else if (now - next > std::chrono::seconds{1})
        next = now; // fell far behind: do not burst to catch up
    }
  });
}

void churn_driver::stop() {
  running_ = false;
  if (thread_.joinable())
    thread_.join();
}

} // namespace ambient::sim
