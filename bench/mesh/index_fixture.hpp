#pragma once

// What the pure mesh index benches share: a CPU clock, percentiles, and one synced cluster of
// pods behind services (pods i ≡ s mod services belong to service s, in namespace ns-<i mod 10>).

#include <algorithm>
#include <chrono>
#include <ctime>
#include <memory>
#include <string>
#include <vector>

#include "mesh/mesh_index.hpp"

namespace ambient::bench {

/// This thread's CPU time: the index is single-threaded pure computation, and CPU time does not
/// count what a noisy VM steals (wall-clock rounds on this 2-core VM varied 14–24 ms between runs
/// minutes apart; their CPU time does not).
struct cpu_clock {
  using duration = std::chrono::nanoseconds;
  using time_point = std::chrono::time_point<cpu_clock>;
  static time_point now() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return time_point{std::chrono::seconds{ts.tv_sec} + std::chrono::nanoseconds{ts.tv_nsec}};
  }
};

inline double ms_since(cpu_clock::time_point t) {
  return std::chrono::duration<double, std::milli>(cpu_clock::now() - t).count();
}

inline double percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1,
                    static_cast<size_t>(p * static_cast<double>(v.size() - 1) + 0.5))];
}

inline kube::string_map labels(std::initializer_list<std::pair<std::string, std::string>> kv) {
  kube::string_map m{kv};
  std::sort(m.begin(), m.end());
  return m;
}

inline std::string ip(uint32_t n, uint32_t salt) {
  n += salt * 7919;
  return "10." + std::to_string((n >> 16) & 255) + "." + std::to_string((n >> 8) & 255) + "."
         + std::to_string(n & 255);
}

/// Pod i: namespace ns-<i mod namespaces>, label app=svc-<i mod services>.
inline kube::pod make_pod(uint32_t i, uint32_t services, uint32_t salt, uint32_t namespaces = 10) {
  kube::pod p;
  p.meta.namespace_ = "ns-" + std::to_string(i % namespaces);
  p.meta.name = "pod-" + std::to_string(i);
  p.meta.uid = "uid-" + std::to_string(i);
  p.meta.labels = labels({{"app", "svc-" + std::to_string(i % services)}});
  p.meta.annotations = labels({{"ambient.istio.io/redirection", "enabled"}});
  p.node_name = "node-" + std::to_string(i % 50);
  p.service_account = "default";
  p.phase = "Running";
  p.ready = true;
  p.pod_ip = ip(i, salt);
  p.pod_ips = {p.pod_ip};
  p.ports = {{"http", 8080, "TCP"}};
  return p;
}

/// Service s selects app svc-s, in namespace ns-<s mod namespaces> (that of its pods when
/// `namespaces` divides `services`).
inline kube::service make_service(uint32_t s, uint32_t namespaces = 10) {
  kube::service svc;
  svc.meta.name = "svc-" + std::to_string(s);
  svc.meta.namespace_ = "ns-" + std::to_string(s % namespaces);
  svc.meta.uid = "uid-svc-" + std::to_string(s);
  svc.type = "ClusterIP";
  svc.cluster_ip = "10.96." + std::to_string(s / 256) + "." + std::to_string(s % 256);
  svc.cluster_ips = {svc.cluster_ip};
  svc.ip_families = {"IPv4"};
  svc.selector = labels({{"app", "svc-" + std::to_string(s)}});
  kube::service_port p;
  p.name = "http";
  p.protocol = "TCP";
  p.port = 80;
  p.target_port_name = "http";
  svc.ports = {p};
  return svc;
}

/// Upserts into cluster-1, generation 1, of `idx`: namespaces, 50 nodes, the services and pods.
inline void seed(mesh::mesh_index& idx, uint32_t pods, uint32_t services,
                 uint32_t namespaces = 10) {
  for (uint32_t n = 0; n < namespaces; ++n) {
    kube::namespace_ ns;
    ns.meta.name = "ns-" + std::to_string(n);
    idx.upsert("cluster-1", 1, ns);
  }
  for (uint32_t n = 0; n < 50; ++n) {
    kube::node node;
    node.meta.name = "node-" + std::to_string(n);
    node.meta.labels = labels({{"topology.kubernetes.io/region", "r1"},
                               {"topology.kubernetes.io/zone", "z" + std::to_string(n % 3)}});
    idx.upsert("cluster-1", 1, node);
  }
  for (uint32_t s = 0; s < services; ++s)
    idx.upsert("cluster-1", 1, make_service(s, namespaces));
  for (uint32_t i = 0; i < pods; ++i)
    idx.upsert("cluster-1", 1, make_pod(i, services, 0, namespaces));
}

/// The mesh config of the benches: config cluster cluster-1.
inline std::shared_ptr<const mesh::mesh_config> bench_config() {
  auto cfg = std::make_shared<mesh::mesh_config>();
  cfg->cluster_id = "cluster-1";
  return cfg;
}

/// Admits cluster-1 and takes the first delta.
inline void admit(mesh::mesh_index& idx) {
  idx.set_state("cluster-1", 1, fleet::lifecycle::synced);
  idx.take_delta();
}

} // namespace ambient::bench
