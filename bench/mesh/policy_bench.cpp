// Issue 25's figure for the pure path of a policy change (no actors, no I/O), one run: 1,000
// AuthorizationPolicies over 10,000 workloads (100 namespaces, 1,000 services, one policy per
// service selecting its pods, a STRICT mesh-wide PeerAuthentication). A policy change goes through
// the mesh index (conversion, policy index, the workloads of its namespace recomputed) into the
// xDS tables, where it is ready to push; its CPU time is set next to a full recompute of the same
// view in the same run (target: ≤ 5 %).
//
// Usage: policy_bench [--pods N] [--policies P] [--changes C]

#include <cstdio>
#include <string>
#include <vector>

#include "bench/mesh/index_fixture.hpp"
#include "xds/publisher_tables.hpp"

namespace {

using namespace ambient;
using namespace ambient::bench;

constexpr uint32_t namespaces = 100;

/// Policy k: ALLOW from namespace `from` to the pods of service `app` (in that service's
/// namespace, or in istio-system when `root`).
kube::authorization_policy make_policy(uint32_t k, uint32_t app, const std::string& from,
                                       bool root = false) {
  kube::authorization_policy ap;
  ap.meta.namespace_ = root ? "istio-system" : "ns-" + std::to_string(app % namespaces);
  ap.meta.name = "policy-" + std::to_string(k);
  ap.selector = labels({{"app", "svc-" + std::to_string(app)}});
  ap.action = "ALLOW";
  kube::authz_rule r;
  r.from.emplace_back().namespaces = {from};
  r.to.emplace_back().ports = {"8080"};
  ap.rules.push_back(r);
  return ap;
}

struct timed_change {
  double ms = 0;
  size_t workloads = 0, authorizations = 0;
};

/// Applies `change` to `idx`, takes the delta and applies it to `tables`: CPU time and sizes.
template <class F>
timed_change run_change(mesh::mesh_index& idx, xds::publisher_tables& tables, F&& change) {
  auto t = cpu_clock::now();
  change();
  auto d = idx.take_delta();
  tables.apply(d);
  return {ms_since(t), d.upserted.size() + d.removed.size(),
          d.authorizations_upserted.size() + d.authorizations_removed.size()};
}

void report(const char* what, const std::vector<timed_change>& v, double full_ms) {
  std::vector<double> ms;
  size_t workloads = 0, authorizations = 0;
  for (const auto& c : v) {
    ms.push_back(c.ms);
    workloads = std::max(workloads, c.workloads);
    authorizations = std::max(authorizations, c.authorizations);
  }
  auto p50 = percentile(ms, 0.5), p99 = percentile(ms, 0.99);
  std::printf("| %s, p50 / p99 | %.3f / %.3f ms | %.2f %% / %.2f %% | %zu / %zu |\n", what, p50,
              p99, 100 * p50 / full_ms, 100 * p99 / full_ms, workloads, authorizations);
}

} // namespace

int main(int argc, char** argv) {
  uint32_t pods = 10'000, policies = 1'000, changes = 500;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--pods")
      pods = static_cast<uint32_t>(std::stoul(argv[i + 1]));
    else if (a == "--policies")
      policies = static_cast<uint32_t>(std::stoul(argv[i + 1]));
    else if (a == "--changes")
      changes = static_cast<uint32_t>(std::stoul(argv[i + 1]));
  }
  const uint32_t services = policies;

  mesh::mesh_index idx{bench_config()};
  xds::publisher_tables tables;
  auto t_build = cpu_clock::now();
  seed(idx, pods, services, namespaces);
  kube::namespace_ root;
  root.meta.name = "istio-system";
  idx.upsert("cluster-1", 1, root);
  for (uint32_t k = 0; k < policies; ++k)
    idx.upsert("cluster-1", 1, make_policy(k, k, "shop"));
  kube::peer_authentication strict;
  strict.meta.namespace_ = "istio-system";
  strict.meta.name = "default";
  strict.mode = kube::mtls_mode::strict;
  idx.upsert("cluster-1", 1, strict);
  idx.set_state("cluster-1", 1, fleet::lifecycle::synced);
  tables.apply(idx.take_delta());
  auto build_ms = ms_since(t_build);

  // A rule changes (the common edit): one Authorization re-sent, no workload list changes.
  std::vector<timed_change> rule_changes, selector_changes;
  for (uint32_t e = 1; e <= changes; ++e) {
    auto k = (e * 7919) % policies;
    rule_changes.push_back(run_change(idx, tables, [&] {
      idx.upsert("cluster-1", 1, make_policy(k, k, "shop-" + std::to_string(e)));
    }));
  }
  // A selector moves to another service of the same namespace and back: the lists of both
  // services' pods change.
  for (uint32_t e = 1; e <= changes; ++e) {
    auto k = (e * 7919) % policies;
    auto other = (k + namespaces) % services; // same namespace: k ≡ other (mod namespaces)
    selector_changes.push_back(run_change(idx, tables, [&] {
      idx.upsert("cluster-1", 1, make_policy(k, e % 2 == 1 ? other : k, "shop"));
    }));
  }
  // The worst case: a root-namespace policy, which every workload's list may name.
  std::vector<timed_change> root_changes;
  for (uint32_t e = 1; e <= 20; ++e)
    root_changes.push_back(run_change(idx, tables, [&] {
      idx.upsert("cluster-1", 1, make_policy(policies, e % services, "shop", true));
    }));

  auto t_full = cpu_clock::now();
  auto all = idx.recompute();
  auto full_ms = ms_since(t_full);
  if (all.size() != idx.resources().size()) {
    std::fprintf(stderr, "recompute disagrees: %zu vs %zu resources\n", all.size(),
                 idx.resources().size());
    return 1;
  }

  std::printf("# policy bench (one run; CPU time of the one thread doing the work)\n\n");
  std::printf("%u workloads, %u AuthorizationPolicies (one per service), %u namespaces, a STRICT "
              "mesh-wide PeerAuthentication; %zu Authorization resources.\n\n",
              pods, policies, namespaces, tables.authorizations().entries().size());
  std::printf("| figure | value | of the full recompute | workloads / authorizations sent |\n"
              "|---|---|---|---|\n");
  std::printf("| full recompute (indexes rebuilt from their objects, policies converted, merged) "
              "| %.1f ms | 100 %% | %zu |\n",
              full_ms, all.size());
  report("a policy's rule changes → delta in the xDS tables", rule_changes, full_ms);
  report("a policy's selector moves within its namespace → delta in the xDS tables",
         selector_changes, full_ms);
  report("a root-namespace policy changes its selector (the pods of its old and new selector "
         "re-evaluated, in every namespace)",
         root_changes, full_ms);
  std::printf("| first build (objects applied, admitted, first delta) | %.0f ms | | |\n", build_ms);
  return 0;
}
