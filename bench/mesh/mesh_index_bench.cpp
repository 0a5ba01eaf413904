// Issue 6's figures for the pure mesh index (no actors, no I/O), one run:
//   - a krt-equivalent round: 1,000 pods behind 50 services, every pod IP changed, the delta
//     taken — next to Istio's published krt figure of 13.4 ms per round (pkg/kube/krt/README.md);
//   - the cost of one pod event (IP change → delta) when the index holds 100,000 workloads;
//   - a full recompute of 100,000 pods (every cluster index rebuilt from its objects, merged).
//
// Usage: mesh_index_bench [--pods N] [--rounds R] [--events E]

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <string>
#include <vector>

#include "mesh/mesh_index.hpp"

namespace {

using namespace ambient;

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

using clock_type = cpu_clock;

double ms_since(cpu_clock::time_point t) {
  return std::chrono::duration<double, std::milli>(cpu_clock::now() - t).count();
}

double percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1,
                    static_cast<size_t>(p * static_cast<double>(v.size() - 1) + 0.5))];
}

kube::string_map labels(std::initializer_list<std::pair<std::string, std::string>> kv) {
  kube::string_map m{kv};
  std::sort(m.begin(), m.end());
  return m;
}

std::string ip(uint32_t n, uint32_t salt) {
  n += salt * 7919;
  return "10." + std::to_string((n >> 16) & 255) + "." + std::to_string((n >> 8) & 255) + "."
         + std::to_string(n & 255);
}

kube::pod make_pod(uint32_t i, uint32_t services, uint32_t salt) {
  kube::pod p;
  p.meta.namespace_ = "ns-" + std::to_string(i % 10);
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

kube::service make_service(uint32_t s) {
  kube::service svc;
  // Service s selects app svc-s; its namespace is that of pods i with i % services == s.
  svc.meta.name = "svc-" + std::to_string(s);
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

/// One synced cluster holding `pods` pods behind `services` services.
std::unique_ptr<mesh::mesh_index> build(uint32_t pods, uint32_t services) {
  auto cfg = std::make_shared<mesh::mesh_config>();
  cfg->cluster_id = "cluster-1";
  auto idx = std::make_unique<mesh::mesh_index>(cfg);
  for (uint32_t n = 0; n < 10; ++n) {
    kube::namespace_ ns;
    ns.meta.name = "ns-" + std::to_string(n);
    idx->upsert("cluster-1", 1, ns);
  }
  for (uint32_t n = 0; n < 50; ++n) {
    kube::node node;
    node.meta.name = "node-" + std::to_string(n);
    node.meta.labels = labels({{"topology.kubernetes.io/region", "r1"},
                               {"topology.kubernetes.io/zone", "z" + std::to_string(n % 3)}});
    idx->upsert("cluster-1", 1, node);
  }
  for (uint32_t s = 0; s < services; ++s) {
    // Each service lives in the namespace of its pods (pods i ≡ s mod services, so i ≡ s mod 10).
    auto svc = make_service(s);
    svc.meta.namespace_ = "ns-" + std::to_string(s % 10);
    idx->upsert("cluster-1", 1, svc);
  }
  for (uint32_t i = 0; i < pods; ++i)
    idx->upsert("cluster-1", 1, make_pod(i, services, 0));
  idx->set_state("cluster-1", 1, fleet::lifecycle::synced);
  idx->take_delta();
  return idx;
}

} // namespace

int main(int argc, char** argv) {
  uint32_t big = 100'000, rounds = 50, events = 5'000;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--pods")
      big = static_cast<uint32_t>(std::stoul(argv[i + 1]));
    else if (a == "--rounds")
      rounds = static_cast<uint32_t>(std::stoul(argv[i + 1]));
    else if (a == "--events")
      events = static_cast<uint32_t>(std::stoul(argv[i + 1]));
  }

  // 1. krt-equivalent rounds.
  auto small = build(1'000, 50);
  std::vector<double> round_ms;
  size_t round_upserts = 0;
  for (uint32_t r = 1; r <= rounds; ++r) {
    auto t = clock_type::now();
    for (uint32_t i = 0; i < 1'000; ++i)
      small->upsert("cluster-1", 1, make_pod(i, 50, r));
    auto d = small->take_delta();
    round_ms.push_back(ms_since(t));
    round_upserts = d.upserted.size();
  }

  // 2. One event at 100k workloads.
  auto t_build = clock_type::now();
  auto large = build(big, 1'000);
  auto build_ms = ms_since(t_build);
  std::vector<double> event_us;
  for (uint32_t e = 1; e <= events; ++e) {
    auto t = clock_type::now();
    large->upsert("cluster-1", 1, make_pod((e * 7919) % big, 1'000, e));
    auto d = large->take_delta();
    event_us.push_back(ms_since(t) * 1000.0);
    if (d.upserted.size() != 1) {
      std::fprintf(stderr, "expected one upsert per event, got %zu\n", d.upserted.size());
      return 1;
    }
  }

  // 3. Full recompute.
  auto t_full = clock_type::now();
  auto all = large->recompute();
  auto full_ms = ms_since(t_full);

  std::printf("# mesh index bench (one run; CPU time of the one thread doing the work)\n| figure | "
              "value |\n|---|---|\n");
  std::printf("| krt-equivalent round (1,000 pods, 50 services, every IP changed), p50 / p99 | "
              "%.2f / %.2f ms |\n",
              percentile(round_ms, 0.5), percentile(round_ms, 0.99));
  std::printf("| Istio's published krt figure per round | 13.4 ms |\n");
  std::printf("| ratio (ours p50 / krt) | %.2f |\n", percentile(round_ms, 0.5) / 13.4);
  std::printf("| resources upserted per round | %zu |\n", round_upserts);
  std::printf("| one pod IP change at %u workloads → delta, p50 / p99 | %.1f / %.1f µs |\n", big,
              percentile(event_us, 0.5), percentile(event_us, 0.99));
  std::printf("| first build of %u pods (apply + admit + first delta) | %.0f ms |\n", big,
              build_ms);
  std::printf("| full recompute of %u pods (indexes rebuilt, merged) | %.0f ms (%zu resources) |\n",
              big, full_ms, all.size());
  return 0;
}
