#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "mesh/mesh_index.hpp"
#include "support/mesh_builders.hpp"
#include "support/mesh_index_helpers.hpp"
#include "support/waypoint_builders.hpp"

// Waypoints across clusters: each cluster binds its own Gateways, the config cluster's classes
// apply everywhere, a merged Service takes its base copy's waypoint; and random waypoint churn
// over two clusters keeps the deltas equal to a full recompute.

using namespace ambient;
using namespace ambient::mesh;
using namespace ambient::test;
using strings = std::vector<std::string>;

TEST_CASE("a global service merged from two clusters takes the config cluster waypoint",
          "[mesh][waypoint]") {
  mesh_index idx{test::index_config("net-1")};
  auto global = make_service("web", "demo", make_map({{"app", "web"}}), {make_port(80, 8080)});
  global.meta.labels = make_map({{"istio.io/global", "true"}});
  for (const std::string c : {"cluster-1", "cluster-2"}) {
    idx.upsert(c, 1, test::system_ns("net-1"));
    idx.upsert(c, 1, demo_ns(make_map({{"istio.io/use-waypoint", "waypoint"}})));
    idx.upsert(c, 1, global);
    idx.upsert(c, 1,
               make_pod("web-0", "demo", c == "cluster-1" ? "10.0.0.1" : "10.1.0.1",
                        make_map({{"app", "web"}})));
  }
  idx.upsert("cluster-1", 1, waypoint_class("all"));
  idx.upsert("cluster-1", 1, waypoint_gw("demo", "waypoint", true, "10.0.0.100"));
  idx.upsert("cluster-2", 1, waypoint_gw("demo", "waypoint", true, "10.1.0.100"));
  idx.set_state("cluster-2", 1, fleet::lifecycle::synced);
  idx.take_delta();
  // Only the remote copy so far: its own waypoint, on its network, from the config cluster's
  // class (not there yet: the config cluster is not admitted, so service only).
  CHECK(waypoint_of(idx, web_svc) == "ip:4@net-1");
  CHECK(waypoint_of(idx, "cluster-2//Pod/demo/web-0").empty());
  idx.set_state("cluster-1", 1, fleet::lifecycle::synced);
  idx.take_delta();
  // The config cluster's class now applies to the remote cluster's pods too.
  CHECK(waypoint_of(idx, "cluster-2//Pod/demo/web-0") == "ip:4@net-1");
  const auto& remote = address_of(idx, "cluster-2//Pod/demo/web-0").workload().waypoint();
  CHECK(remote.address().address() == std::string{"\x0a\x01\x00\x64", 4});
  const auto& merged = address_of(idx, web_svc).service().waypoint();
  CHECK(merged.address().address() == std::string{"\x0a\x00\x00\x64", 4});
  // A class change on the config cluster moves the remote cluster's workloads in one delta.
  idx.upsert("cluster-1", 1, waypoint_class("service"));
  auto d = idx.take_delta();
  auto names = upserted(d);
  CHECK(std::count(names.begin(), names.end(), "cluster-2//Pod/demo/web-0") == 1);
  CHECK(waypoint_of(idx, "cluster-2//Pod/demo/web-0").empty());
  CHECK(test::bytes_of(idx.resources()) == test::bytes_of(idx.recompute()));
}

TEST_CASE("remote objects bind only their own cluster waypoints", "[mesh][waypoint]") {
  mesh_index idx{test::index_config("net-1")};
  idx.upsert("cluster-1", 1, test::system_ns("net-1"));
  idx.upsert("cluster-1", 1, waypoint_class("all"));
  idx.upsert("cluster-1", 1, demo_ns());
  idx.upsert("cluster-1", 1, waypoint_gw());
  idx.set_state("cluster-1", 1, fleet::lifecycle::synced);
  idx.upsert("cluster-2", 1, test::system_ns("net-1"));
  idx.upsert("cluster-2", 1, demo_ns(make_map({{"istio.io/use-waypoint", "waypoint"}})));
  idx.upsert("cluster-2", 1, make_pod("web-0", "demo", "10.1.0.1"));
  idx.set_state("cluster-2", 1, fleet::lifecycle::synced);
  idx.take_delta();
  // The config cluster's Gateway of that name does not serve cluster-2's pods.
  CHECK(waypoint_of(idx, "cluster-2//Pod/demo/web-0").empty());
  idx.upsert("cluster-2", 1, waypoint_gw());
  CHECK(upserted(idx.take_delta()) == strings{"cluster-2//Pod/demo/web-0"});
  CHECK(waypoint_of(idx, "cluster-2//Pod/demo/web-0") == demo_wp);
  CHECK(test::bytes_of(idx.resources()) == test::bytes_of(idx.recompute()));
}

TEST_CASE("a remote cluster without a network contributes no waypoints", "[mesh][waypoint]") {
  mesh_index idx{test::index_config()};
  idx.upsert("cluster-1", 1, waypoint_class("all"));
  idx.set_state("cluster-1", 1, fleet::lifecycle::synced);
  idx.upsert("cluster-2", 1, demo_ns(make_map({{"istio.io/use-waypoint", "waypoint"}})));
  idx.upsert("cluster-2", 1, make_pod("web-0", "demo", "10.1.0.1"));
  idx.upsert("cluster-2", 1, waypoint_gw());
  idx.set_state("cluster-2", 1, fleet::lifecycle::synced);
  idx.take_delta();
  CHECK(waypoint_of(idx, "cluster-2//Pod/demo/web-0").empty());
  CHECK(test::bytes_of(idx.resources()) == test::bytes_of(idx.recompute()));
}

TEST_CASE("waypoint churn keeps the deltas equal to a full recompute", "[mesh][waypoint]") {
  const std::vector<std::string> clusters{"cluster-1", "cluster-2"};
  // The churn must reach the fields it is about, or the equality below proves nothing.
  size_t bound_seen = 0, tunnels_seen = 0;
  for (uint32_t seed = 1; seed <= 20; ++seed) {
    INFO("seed " << seed);
    std::mt19937 rng{seed};
    auto pick = [&](size_t n) {
      return static_cast<size_t>(rng() % n);
    };
    mesh_index idx{test::index_config("net-1")};
    std::map<std::string, std::string> view;
    auto apply = [&](const mesh_delta& d) {
      for (const auto& n : d.removed)
        view.erase(n);
      for (const auto& r : d.upserted) {
        view[r->name] = r->bytes;
        const auto& a = r->address;
        bound_seen += a.has_workload() ? a.workload().has_waypoint() : a.service().has_waypoint();
        tunnels_seen += a.has_workload() && a.workload().has_application_tunnel();
      }
    };
    const strings types{"service", "workload", "all", "none"};
    const strings names{"wp-a", "wp-b", "none", ""};
    for (const auto& c : clusters)
      idx.upsert(c, 1, test::system_ns("net-1"));
    for (int step = 0; step < 250; ++step) {
      const auto& c = clusters[pick(clusters.size())];
      auto ns = "ns-" + std::to_string(pick(2));
      auto use = [&](kube::string_map& m) {
        if (auto n = pick(5); n < names.size() && !names[n].empty())
          set_label(m, "istio.io/use-waypoint", names[n]);
        if (pick(4) == 0)
          set_label(m, "istio.io/use-waypoint-namespace", "ns-" + std::to_string(pick(2)));
      };
      switch (pick(9)) {
        case 0:
        case 1: {
          auto labels = make_map({{"app", "app-" + std::to_string(pick(2))}});
          use(labels);
          if (pick(5) == 0)
            set_label(labels, "gateway.networking.k8s.io/gateway-name",
                      "wp-" + std::string{pick(2) ? "a" : "b"});
          auto p = make_pod("p" + std::to_string(pick(5)), ns, "10.0.0." + std::to_string(pick(50)),
                            labels);
          p.service_account = "sa-" + std::to_string(pick(2));
          idx.upsert(c, 1, p);
          break;
        }
        case 2: {
          auto s = make_service("app-" + std::to_string(pick(2)), ns,
                                make_map({{"app", "app-" + std::to_string(pick(2))}}),
                                {make_port(80, 8080)}, "10.96.0." + std::to_string(pick(20)));
          use(s.meta.labels);
          if (pick(2))
            set_label(s.meta.labels, "istio.io/global", "true");
          idx.upsert(c, 1, s);
          break;
        }
        case 3: {
          kube::string_map labels;
          use(labels);
          if (pick(2))
            set_label(labels, "team", "a");
          idx.upsert(c, 1, make_namespace(ns, labels));
          break;
        }
        case 4:
        case 5: {
          auto g = waypoint_gw(ns, pick(2) ? "wp-a" : "wp-b", pick(4) != 0,
                               pick(2) ? "" : "10.0.9." + std::to_string(pick(3)));
          if (pick(2))
            g.meta.labels = make_map({{"istio.io/waypoint-for", types[pick(types.size())]}});
          if (pick(3) == 0) {
            auto& l = g.listeners[0];
            l.has_route_namespaces = true;
            l.routes_from = pick(2) ? "All" : "Selector";
            l.routes_selector = kube::raw_label_selector{make_map({{"team", "a"}}), {}};
          }
          if (pick(4) == 0)
            g.meta.annotations = make_map(
                {{"ambient.istio.io/waypoint-inbound-binding", pick(2) ? "PROXY" : "NONE/15008"}});
          idx.upsert(c, 1, g);
          break;
        }
        case 6:
          idx.remove(c, 1, kube::resource_kind::gateways, ns + "/" + (pick(2) ? "wp-a" : "wp-b"));
          break;
        case 7:
          if (pick(2))
            idx.upsert("cluster-1", 1, waypoint_class(types[pick(types.size())]));
          else
            idx.remove("cluster-1", 1, kube::resource_kind::gateway_classes, "istio-waypoint");
          break;
        default:
          idx.set_state(c, 1, fleet::lifecycle::synced);
      }
      if (pick(3) == 0)
        apply(idx.take_delta());
    }
    apply(idx.take_delta());
    CHECK(view == test::bytes_of(idx.resources()));
    CHECK(view == test::bytes_of(idx.recompute()));
  }
  CHECK(bound_seen > 100);
  CHECK(tunnels_seen > 10);
}
