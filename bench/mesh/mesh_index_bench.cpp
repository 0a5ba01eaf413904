// Issue 6's figures for the pure mesh index (no actors, no I/O), one run:
//   - a krt-equivalent round: 1,000 pods behind 50 services, every pod IP changed, the delta
//     taken — next to Istio's published krt figure of 13.4 ms per round (pkg/kube/krt/README.md);
//   - the cost of one pod event (IP change → delta) when the index holds 100,000 workloads;
//   - a full recompute of 100,000 pods (every cluster index rebuilt from its objects, merged).
//
// Usage: mesh_index_bench [--pods N] [--rounds R] [--events E]

#include <cstdio>
#include <string>
#include <vector>

#include "bench/mesh/index_fixture.hpp"

namespace {

using namespace ambient;
using namespace ambient::bench;
using clock_type = cpu_clock;

/// One synced cluster holding `pods` pods behind `services` services.
std::unique_ptr<mesh::mesh_index> build(uint32_t pods, uint32_t services) {
  auto idx = std::make_unique<mesh::mesh_index>(bench_config());
  seed(*idx, pods, services);
  admit(*idx);
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
