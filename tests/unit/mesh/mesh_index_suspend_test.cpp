#include <catch2/catch.hpp>

#include <random>

#include "mesh/mesh_index.hpp"
#include "support/mesh_builders.hpp"
#include "support/mesh_index_helpers.hpp"

using namespace ambient;
using namespace ambient::mesh;
using ambient::test::bytes_of;
using ambient::test::make_map;
using ambient::test::make_namespace;
using ambient::test::make_pod;
using ambient::test::make_port;
using ambient::test::make_service;
using ambient::test::system_ns;

namespace {

std::set<std::string> names_of(const std::vector<std::string>& v) {
  return {v.begin(), v.end()};
}

/// cluster-1 (the config cluster) with one pod and a global service, and cluster-2 (generation
/// `gen`) with two pods of that service and its own VIP for it, both admitted.
mesh_index two_clusters(uint64_t gen = 3) {
  mesh_index idx{test::index_config()};
  for (const auto* c : {"cluster-1", "cluster-2"}) {
    bool remote = std::string{c} == "cluster-2";
    uint64_t g = remote ? gen : 1;
    auto global = make_service("web", "demo", make_map({{"app", "web"}}), {make_port(80, 8080)},
                               remote ? "10.96.0.2" : "10.96.0.1");
    global.meta.labels = make_map({{"istio.io/global", "true"}});
    idx.upsert(c, g, make_namespace("demo"));
    idx.upsert(c, g, global);
  }
  idx.upsert("cluster-1", 1, make_pod("one", "demo", "10.1.0.1", make_map({{"app", "web"}})));
  idx.upsert("cluster-2", gen, make_pod("a", "demo", "10.2.0.1", make_map({{"app", "web"}})));
  idx.upsert("cluster-2", gen, make_pod("b", "demo", "10.2.0.2", make_map({{"app", "web"}})));
  idx.set_state("cluster-1", 1, fleet::lifecycle::synced);
  idx.set_state("cluster-2", gen, fleet::lifecycle::synced);
  idx.take_delta();
  return idx;
}

} // namespace

TEST_CASE("a suspended cluster leaves the view in one delta and comes back whole when it syncs "
          "again",
          "[mesh]") {
  auto idx = two_clusters();
  const auto before = bytes_of(idx.resources());
  REQUIRE(before.contains("cluster-2//Pod/demo/a"));
  idx.set_state("cluster-2", 3, fleet::lifecycle::stale);
  CHECK(idx.take_delta().empty());
  idx.suspend("cluster-2");
  auto d = idx.take_delta();
  CHECK(names_of(d.removed)
        == std::set<std::string>{"cluster-2//Pod/demo/a", "cluster-2//Pod/demo/b"});
  // The global service loses cluster-2's VIP: it is re-sent, not removed.
  REQUIRE(d.upserted.size() == 1);
  CHECK(d.upserted[0]->name == "demo/web.demo.svc.cluster.local");
  CHECK(idx.admitted_clusters() == std::vector<std::string>{"cluster-1"});
  CHECK(bytes_of(idx.resources()) == bytes_of(idx.recompute()));
  idx.suspend("cluster-2"); // already out: nothing more
  CHECK(idx.take_delta().empty());
  // Its watch recovers: the same incarnation is admitted again, byte for byte as before.
  idx.set_state("cluster-2", 3, fleet::lifecycle::synced);
  auto back = idx.take_delta();
  CHECK(back.removed.empty());
  CHECK(back.upserted.size() == 3);
  CHECK(bytes_of(idx.resources()) == before);
}

TEST_CASE("changes that reach a suspended cluster are in the view when it is admitted again",
          "[mesh]") {
  auto idx = two_clusters();
  idx.suspend("cluster-2");
  idx.take_delta();
  // Informers still delivering while another one fails: kept, not shown.
  idx.remove("cluster-2", 3, kube::resource_kind::pods, "demo/a");
  idx.upsert("cluster-2", 3, make_pod("c", "demo", "10.2.0.3", make_map({{"app", "web"}})));
  CHECK(idx.take_delta().empty());
  idx.set_state("cluster-2", 3, fleet::lifecycle::stale); // admitted as a first sync would be
  auto d = idx.take_delta();
  CHECK(d.removed.empty());
  CHECK(idx.resources().contains("cluster-2//Pod/demo/c"));
  CHECK(idx.resources().contains("cluster-2//Pod/demo/b"));
  CHECK_FALSE(idx.resources().contains("cluster-2//Pod/demo/a"));
  CHECK(bytes_of(idx.resources()) == bytes_of(idx.recompute()));
}

TEST_CASE("a newer incarnation building aside when its cluster is suspended is admitted when it "
          "syncs",
          "[mesh]") {
  auto idx = two_clusters(3);
  // Generation 4 (a changed kubeconfig) lists but never syncs; the old data is suspended.
  idx.upsert("cluster-2", 4, make_namespace("demo"));
  idx.upsert("cluster-2", 4, make_pod("b", "demo", "10.2.0.22", make_map({{"app", "web"}})));
  idx.set_state("cluster-2", 4, fleet::lifecycle::timeout);
  CHECK(idx.take_delta().empty());
  idx.suspend("cluster-2");
  CHECK(idx.take_delta().removed.size() == 2);
  // The replaced incarnation's late events count no more.
  idx.set_state("cluster-2", 3, fleet::lifecycle::synced);
  idx.upsert("cluster-2", 3, make_pod("z", "demo", "10.2.0.9"));
  CHECK(idx.take_delta().empty());
  idx.upsert("cluster-2", 4, make_pod("d", "demo", "10.2.0.4", make_map({{"app", "web"}})));
  idx.set_state("cluster-2", 4, fleet::lifecycle::synced);
  auto d = idx.take_delta();
  CHECK(d.removed.empty());
  CHECK(idx.resources().contains("cluster-2//Pod/demo/d"));
  CHECK_FALSE(idx.resources().contains("cluster-2//Pod/demo/a"));
  CHECK_FALSE(idx.resources().contains("cluster-2//Pod/demo/z"));
  CHECK(bytes_of(idx.resources()) == bytes_of(idx.recompute()));
}

TEST_CASE("a suspended cluster that is withdrawn, or replaced before it syncs, leaves nothing",
          "[mesh]") {
  auto idx = two_clusters(3);
  const auto alone = [] {
    auto i = two_clusters(3);
    i.withdraw("cluster-2", 3);
    i.take_delta();
    return bytes_of(i.resources());
  }();
  idx.suspend("cluster-2");
  idx.take_delta();
  // A new incarnation (fixed credentials) starts from nothing and syncs.
  idx.upsert("cluster-2", 5, make_namespace("demo"));
  idx.upsert("cluster-2", 5, make_pod("e", "demo", "10.2.0.5", make_map({{"app", "web"}})));
  idx.set_state("cluster-2", 5, fleet::lifecycle::synced);
  auto d = idx.take_delta();
  CHECK(d.removed.empty());
  CHECK(idx.resources().contains("cluster-2//Pod/demo/e"));
  CHECK_FALSE(idx.resources().contains("cluster-2//Pod/demo/a"));
  idx.suspend("cluster-2");
  idx.withdraw("cluster-2", 5);
  idx.take_delta();
  CHECK(idx.admitted_clusters() == std::vector<std::string>{"cluster-1"});
  CHECK(bytes_of(idx.resources()) == alone);
  CHECK(bytes_of(idx.resources()) == bytes_of(idx.recompute()));
}

TEST_CASE("with suspensions among random events, the deltas still add up to a full recompute",
          "[mesh]") {
  const std::vector<std::string> clusters{"cluster-1", "cluster-2", "cluster-3"};
  for (uint32_t seed = 1; seed <= 20; ++seed) {
    INFO("seed " << seed);
    std::mt19937 rng{seed};
    auto pick = [&](size_t n) {
      return static_cast<size_t>(rng() % n);
    };
    mesh_index idx{test::index_config(seed % 2 ? "net-1" : "")};
    std::map<std::string, std::string> view;
    auto apply = [&](const mesh_delta& d) {
      for (const auto& n : d.removed)
        view.erase(n);
      for (const auto& r : d.upserted)
        view[r->name] = r->bytes;
    };
    std::map<std::string, uint64_t> gen{{"cluster-1", 1}, {"cluster-2", 1}, {"cluster-3", 1}};
    for (int step = 0; step < 300; ++step) {
      const auto& c = clusters[pick(clusters.size())];
      auto labels = make_map({{"app", "app-" + std::to_string(pick(2))}});
      switch (pick(8)) {
        case 0:
        case 1:
          idx.upsert(c, gen[c],
                     make_pod("p" + std::to_string(pick(6)), "demo",
                              "10." + std::to_string(pick(3)) + ".0." + std::to_string(pick(200)),
                              labels));
          break;
        case 2: {
          auto s = make_service("app-" + std::to_string(pick(2)), "demo", labels,
                                {make_port(80, 8080)}, "10.96.0." + std::to_string(pick(9)));
          if (pick(2))
            s.meta.labels = make_map({{"istio.io/global", "true"}});
          idx.upsert(c, gen[c], s);
          idx.upsert(c, gen[c], make_namespace("demo"));
          idx.upsert(
              c, gen[c],
              make_namespace("istio-system", make_map({{"topology.istio.io/network",
                                                        "net-" + std::to_string(1 + pick(2))}})));
          break;
        }
        case 3:
          idx.set_state(c, gen[c], pick(2) ? fleet::lifecycle::synced : fleet::lifecycle::stale);
          break;
        case 4:
          idx.set_state(c, gen[c], pick(2) ? fleet::lifecycle::timeout : fleet::lifecycle::failed);
          break;
        case 5:
          ++gen[c];
          break;
        case 6:
          idx.suspend(c);
          break;
        default:
          if (pick(4) == 0)
            idx.withdraw(c, gen[c]++);
      }
      if (pick(3) == 0)
        apply(idx.take_delta());
    }
    apply(idx.take_delta());
    CHECK(view == bytes_of(idx.resources()));
    CHECK(view == bytes_of(idx.recompute()));
  }
}
