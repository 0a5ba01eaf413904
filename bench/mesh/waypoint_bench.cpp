// Issue 26's figure for the pure path of a waypoint binding (no actors, no I/O), one run: a
// namespace of 2,000 pods (of 20,000 in 10 namespaces, 1,000 services) is labelled
// istio.io/use-waypoint, and the label is taken off again. Each change goes through the mesh index
// (the namespace's objects re-bound, the changed resources rebuilt) into the xDS tables, where it
// is ready to push. Its CPU and wall time are set next to a full recompute of the same view in the
// same run. With waypoint-for=all every pod and service of the namespace changes; with the
// default (service) only the services do, and the pods' bytes stay.
//
// Usage: waypoint_bench [--pods N] [--rounds R]

#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "bench/mesh/index_fixture.hpp"
#include "xds/publisher_tables.hpp"

namespace {

using namespace ambient;
using namespace ambient::bench;

constexpr uint32_t namespaces = 10;

kube::gateway waypoint_gateway(const std::string& type, const std::string& host) {
  kube::gateway g;
  g.meta.namespace_ = "ns-0";
  g.meta.name = "waypoint";
  g.meta.labels = labels({{"istio.io/waypoint-for", type}});
  g.gateway_class = "istio-waypoint";
  g.listeners.push_back({"mesh", "HBONE", 15008, ""});
  g.addresses.push_back({"Hostname", host});
  return g;
}

kube::namespace_ ns0(bool labelled) {
  kube::namespace_ ns;
  ns.meta.name = "ns-0";
  if (labelled)
    ns.meta.labels = labels({{"istio.io/use-waypoint", "waypoint"}});
  return ns;
}

struct timed_change {
  double cpu_ms = 0, wall_ms = 0;
  size_t resources = 0;
};

template <class F>
timed_change run_change(mesh::mesh_index& idx, xds::publisher_tables& tables, F&& change) {
  auto wall = std::chrono::steady_clock::now();
  auto t = cpu_clock::now();
  change();
  auto d = idx.take_delta();
  tables.apply(d);
  return {
      ms_since(t),
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - wall).count(),
      d.upserted.size() + d.removed.size()};
}

void report(const char* what, const std::vector<timed_change>& v, double full_ms) {
  std::vector<double> cpu, wall;
  size_t resources = 0;
  for (const auto& c : v) {
    cpu.push_back(c.cpu_ms);
    wall.push_back(c.wall_ms);
    resources = std::max(resources, c.resources);
  }
  auto p50 = percentile(cpu, 0.5), p99 = percentile(cpu, 0.99);
  std::printf("| %s | %.2f / %.2f ms | %.2f / %.2f ms | %.1f %% / %.1f %% | %zu |\n", what, p50,
              p99, percentile(wall, 0.5), percentile(wall, 0.99), 100 * p50 / full_ms,
              100 * p99 / full_ms, resources);
}

/// Labels and unlabels ns-0 `rounds` times each, with a waypoint of traffic type `type`.
void label_rounds(mesh::mesh_index& idx, xds::publisher_tables& tables, uint32_t rounds,
                  std::vector<timed_change>& on, std::vector<timed_change>& off) {
  for (uint32_t r = 0; r < rounds; ++r) {
    on.push_back(run_change(idx, tables, [&] { idx.upsert("cluster-1", 1, ns0(true)); }));
    off.push_back(run_change(idx, tables, [&] { idx.upsert("cluster-1", 1, ns0(false)); }));
  }
}

} // namespace

int main(int argc, char** argv) {
  uint32_t pods = 20'000, rounds = 20;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--pods")
      pods = static_cast<uint32_t>(std::stoul(argv[i + 1]));
    else if (a == "--rounds")
      rounds = static_cast<uint32_t>(std::stoul(argv[i + 1]));
  }
  const uint32_t services = 1'000;

  mesh::mesh_index idx{bench_config()};
  xds::publisher_tables tables;
  seed(idx, pods, services, namespaces);
  kube::gateway_class cls;
  cls.meta.name = "istio-waypoint";
  idx.upsert("cluster-1", 1, cls);
  idx.upsert("cluster-1", 1, waypoint_gateway("all", "waypoint.ns-0.svc.cluster.local"));
  idx.set_state("cluster-1", 1, fleet::lifecycle::synced);
  tables.apply(idx.take_delta());

  std::vector<timed_change> all_on, all_off, service_on, service_off, moved;
  label_rounds(idx, tables, rounds, all_on, all_off);
  // The waypoint's address changes while the namespace is bound: every bound resource moves.
  idx.upsert("cluster-1", 1, ns0(true));
  tables.apply(idx.take_delta());
  for (uint32_t r = 0; r < rounds; ++r)
    moved.push_back(run_change(idx, tables, [&] {
      idx.upsert("cluster-1", 1,
                 waypoint_gateway("all", "waypoint-" + std::to_string(r % 2) + ".ns-0.svc"));
    }));
  // Measured in the state the label rounds left: bound, with the last address.
  auto t_full = cpu_clock::now();
  auto full = idx.recompute();
  auto full_ms = ms_since(t_full);
  if (full.size() != idx.resources().size()) {
    std::fprintf(stderr, "recompute disagrees: %zu vs %zu resources\n", full.size(),
                 idx.resources().size());
    return 1;
  }
  size_t bound = 0;
  for (const auto& [name, r] : idx.resources())
    bound += r->address.has_workload() ? r->address.workload().has_waypoint()
                                       : r->address.service().has_waypoint();
  idx.upsert("cluster-1", 1, ns0(false));
  idx.upsert("cluster-1", 1, waypoint_gateway("service", "waypoint.ns-0.svc.cluster.local"));
  tables.apply(idx.take_delta());
  label_rounds(idx, tables, rounds, service_on, service_off);

  std::printf("# waypoint bench (one run; CPU time of the one thread doing the work)\n\n");
  std::printf("%u workloads in %u namespaces, %u services; namespace ns-0 holds %u pods and %u "
              "services; %zu resources carry a waypoint when it is bound.\n\n",
              pods, namespaces, services, pods / namespaces, services / namespaces, bound);
  std::printf("| figure | CPU p50 / p99 | wall p50 / p99 | CPU p50 / p99 of the full recompute "
              "| resources sent |\n|---|---|---|---|---|\n");
  std::printf("| full recompute (indexes rebuilt from their objects, merged) | %.1f ms | | 100 %% "
              "| %zu |\n",
              full_ms, full.size());
  report("label ns-0 use-waypoint (waypoint-for all) → delta in the xDS tables", all_on, full_ms);
  report("unlabel it (all)", all_off, full_ms);
  report("the bound waypoint's address changes (all)", moved, full_ms);
  report("label ns-0 use-waypoint (waypoint-for service: only services change)", service_on,
         full_ms);
  report("unlabel it (service)", service_off, full_ms);
  return 0;
}
