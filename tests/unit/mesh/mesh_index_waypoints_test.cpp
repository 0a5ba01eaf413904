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

// Waypoints through one cluster's index: each input change reaches ztunnel as the smallest delta
// that carries the new waypoint fields.

using namespace ambient;
using namespace ambient::mesh;
using namespace ambient::test;
using strings = std::vector<std::string>;

namespace {

const std::string web_uid = "cluster-1//Pod/demo/web-0";

/// cluster-1 (the config cluster) synced: namespace demo (with `ns_labels`), pod web-0 and
/// Service web selecting it, the waypoint class.
mesh_index synced(kube::string_map ns_labels = {}) {
  mesh_index idx{test::index_config()};
  idx.upsert("cluster-1", 1, demo_ns(std::move(ns_labels)));
  idx.upsert("cluster-1", 1, make_pod("web-0", "demo", "10.0.0.1", make_map({{"app", "web"}})));
  idx.upsert("cluster-1", 1,
             make_service("web", "demo", make_map({{"app", "web"}}), {make_port(80, 8080)}));
  idx.upsert("cluster-1", 1, waypoint_class());
  idx.set_state("cluster-1", 1, fleet::lifecycle::synced);
  idx.take_delta();
  return idx;
}

uint64_t skipped(mesh_index& idx, skip_reason r) {
  return idx.skips().counts()[static_cast<size_t>(r)];
}

} // namespace

TEST_CASE("a namespace label binds its services once the gateway has an address",
          "[mesh][waypoint]") {
  auto idx = synced(make_map({{"istio.io/use-waypoint", "waypoint"}}));
  // Not ready: no status address yet. Nothing set, the binding counted.
  idx.upsert("cluster-1", 1, waypoint_gw("demo", "waypoint", false));
  CHECK(idx.take_delta().empty());
  CHECK(skipped(idx, skip_reason::waypoint_not_ready) > 0);
  CHECK(waypoint_of(idx, web_svc).empty());
  // The address appears: the Service alone changes (waypoint-for defaults to service).
  idx.upsert("cluster-1", 1, waypoint_gw());
  auto d = idx.take_delta();
  CHECK(upserted(d) == strings{web_svc});
  CHECK(waypoint_of(idx, web_svc) == demo_wp);
  CHECK(waypoint_of(idx, web_uid).empty());
  // waypoint-for=all on the Gateway: now the pod too, and the Service's bytes stay.
  auto all = waypoint_gw();
  all.meta.labels = make_map({{"istio.io/waypoint-for", "all"}});
  idx.upsert("cluster-1", 1, all);
  CHECK(upserted(idx.take_delta()) == strings{web_uid});
  CHECK(waypoint_of(idx, web_uid) == demo_wp);
  // The Gateway is deleted: both are cleared in one delta.
  idx.remove("cluster-1", 1, kube::resource_kind::gateways, "demo/waypoint");
  CHECK(upserted(idx.take_delta()) == strings{web_uid, web_svc});
  CHECK(waypoint_of(idx, web_uid).empty());
  CHECK(waypoint_of(idx, web_svc).empty());
  CHECK(test::bytes_of(idx.resources()) == test::bytes_of(idx.recompute()));
}

TEST_CASE("the class label decides the traffic type until the gateway says otherwise",
          "[mesh][waypoint]") {
  auto idx = synced(make_map({{"istio.io/use-waypoint", "waypoint"}}));
  idx.upsert("cluster-1", 1, waypoint_gw());
  idx.take_delta();
  CHECK(waypoint_of(idx, web_uid).empty());
  idx.upsert("cluster-1", 1, waypoint_class("workload"));
  CHECK(upserted(idx.take_delta()) == strings{web_uid, web_svc});
  CHECK(waypoint_of(idx, web_uid) == demo_wp);
  CHECK(waypoint_of(idx, web_svc).empty());
  // The class goes: back to service.
  idx.remove("cluster-1", 1, kube::resource_kind::gateway_classes, "istio-waypoint");
  CHECK(upserted(idx.take_delta()) == strings{web_uid, web_svc});
  CHECK(waypoint_of(idx, web_svc) == demo_wp);
  CHECK(skipped(idx, skip_reason::waypoint_class_missing) > 0);
  CHECK(test::bytes_of(idx.resources()) == test::bytes_of(idx.recompute()));
}

TEST_CASE("an object label overrides the namespace and none opts out", "[mesh][waypoint]") {
  auto idx = synced(make_map({{"istio.io/use-waypoint", "waypoint"}}));
  auto gw = waypoint_gw();
  gw.meta.labels = make_map({{"istio.io/waypoint-for", "all"}});
  idx.upsert("cluster-1", 1, gw);
  idx.upsert("cluster-1", 1, make_pod("db-0", "demo", "10.0.0.2", make_map({{"app", "db"}})));
  idx.take_delta();
  CHECK(waypoint_of(idx, "cluster-1//Pod/demo/db-0") == demo_wp);
  // db-0 opts out; web-0 names a waypoint that does not exist: no fallback for either.
  idx.upsert("cluster-1", 1,
             make_pod("db-0", "demo", "10.0.0.2",
                      make_map({{"app", "db"}, {"istio.io/use-waypoint", "none"}})));
  idx.upsert("cluster-1", 1,
             make_pod("web-0", "demo", "10.0.0.1",
                      make_map({{"app", "web"}, {"istio.io/use-waypoint", "missing"}})));
  idx.take_delta();
  CHECK(waypoint_of(idx, "cluster-1//Pod/demo/db-0").empty());
  CHECK(waypoint_of(idx, web_uid).empty());
  // The named one appears: only the pod naming it moves.
  auto missing = waypoint_gw("demo", "missing");
  missing.meta.labels = make_map({{"istio.io/waypoint-for", "workload"}});
  idx.upsert("cluster-1", 1, missing);
  CHECK(upserted(idx.take_delta()) == strings{web_uid});
  CHECK(waypoint_of(idx, web_uid) == "demo/missing.demo.svc.cluster.local:15008");
  CHECK(test::bytes_of(idx.resources()) == test::bytes_of(idx.recompute()));
}

TEST_CASE("a waypoint in another namespace binds only when its routes allow it",
          "[mesh][waypoint]") {
  auto idx = synced(make_map({{"istio.io/use-waypoint", "shared"},
                              {"istio.io/use-waypoint-namespace", "infra"},
                              {"team", "a"}}));
  idx.upsert("cluster-1", 1, make_namespace("infra"));
  auto gw = waypoint_gw("infra", "shared");
  idx.upsert("cluster-1", 1, gw);
  idx.take_delta();
  CHECK(waypoint_of(idx, web_svc).empty());
  CHECK(skipped(idx, skip_reason::waypoint_attachment_denied) > 0);
  auto& l = gw.listeners[0];
  l.has_route_namespaces = true;
  l.routes_from = "Selector";
  l.routes_selector = kube::raw_label_selector{make_map({{"team", "a"}}), {}};
  idx.upsert("cluster-1", 1, gw);
  CHECK(upserted(idx.take_delta()) == strings{web_svc});
  CHECK(waypoint_of(idx, web_svc) == "infra/shared.infra.svc.cluster.local:15008");
  // Relabelling the namespace out of the selector unbinds it.
  idx.upsert("cluster-1", 1,
             demo_ns(make_map({{"istio.io/use-waypoint", "shared"},
                               {"istio.io/use-waypoint-namespace", "infra"},
                               {"team", "b"}})));
  auto moved = upserted(idx.take_delta());
  CHECK(std::count(moved.begin(), moved.end(), web_svc) == 1);
  CHECK(waypoint_of(idx, web_svc).empty());
  CHECK(test::bytes_of(idx.resources()) == test::bytes_of(idx.recompute()));
}

TEST_CASE("waypoint instances get no waypoint and carry the inbound binding", "[mesh][waypoint]") {
  auto idx = synced(make_map({{"istio.io/use-waypoint", "waypoint"}}));
  auto gw = waypoint_gw("demo", "waypoint", false);
  gw.meta.labels = make_map({{"istio.io/waypoint-for", "all"}});
  gw.meta.annotations = make_map({{"ambient.istio.io/waypoint-inbound-binding", "PROXY/15088"}});
  idx.upsert("cluster-1", 1, gw);
  auto instance = make_pod("waypoint-0", "demo", "10.0.0.9",
                           make_map({{"gateway.networking.k8s.io/gateway-name", "waypoint"}}));
  instance.service_account = "waypoint";
  idx.upsert("cluster-1", 1, instance);
  const std::string instance_uid = "cluster-1//Pod/demo/waypoint-0";
  idx.take_delta();
  // Not ready yet: an ordinary pod, with no waypoint (none is ready) and no tunnel.
  CHECK(!address_of(idx, instance_uid).workload().has_application_tunnel());
  gw.addresses = {{"Hostname", "waypoint.demo.svc.cluster.local"}};
  idx.upsert("cluster-1", 1, gw);
  auto d = idx.take_delta();
  CHECK(upserted(d) == strings{instance_uid, web_uid, web_svc});
  const auto& w = address_of(idx, instance_uid).workload();
  CHECK(!w.has_waypoint());
  REQUIRE(w.has_application_tunnel());
  CHECK(w.application_tunnel().protocol() == istio::workload::ApplicationTunnel::PROXY);
  CHECK(w.application_tunnel().port() == 15088);
  CHECK(waypoint_of(idx, web_uid) == demo_wp);
  CHECK(test::bytes_of(idx.resources()) == test::bytes_of(idx.recompute()));
}

TEST_CASE("a waypoint service bound to itself is sent and counted", "[mesh][waypoint]") {
  auto idx = synced(make_map({{"istio.io/use-waypoint", "waypoint"}}));
  idx.upsert("cluster-1", 1, waypoint_gw());
  idx.upsert("cluster-1", 1,
             make_service("waypoint", "demo", make_map({{"app", "wp"}}), {make_port(15008, 15008)},
                          "10.96.0.11"));
  idx.take_delta();
  CHECK(waypoint_of(idx, "demo/waypoint.demo.svc.cluster.local") == demo_wp);
  CHECK(skipped(idx, skip_reason::waypoint_self_reference) == 1);
  // Labelled as the mesh controller labels it: no waypoint.
  auto managed = make_service("waypoint", "demo", make_map({{"app", "wp"}}),
                              {make_port(15008, 15008)}, "10.96.0.11");
  managed.meta.labels = make_map({{"gateway.istio.io/managed", "istio.io-mesh-controller"}});
  idx.upsert("cluster-1", 1, managed);
  idx.take_delta();
  CHECK(waypoint_of(idx, "demo/waypoint.demo.svc.cluster.local").empty());
}

TEST_CASE("the waypoint report counts bound objects and lists the failed ones",
          "[mesh][waypoint]") {
  auto idx = synced(
      make_map({{"istio.io/use-waypoint", "waypoint"}, {"istio.io/ingress-use-waypoint", "true"}}));
  auto gw = waypoint_gw();
  gw.meta.labels = make_map({{"istio.io/waypoint-for", "all"}});
  idx.upsert("cluster-1", 1, gw);
  idx.upsert("cluster-1", 1,
             make_pod("db-0", "demo", "10.0.0.2", make_map({{"istio.io/use-waypoint", "gone"}})));
  idx.take_delta();
  auto r = idx.report_waypoints();
  REQUIRE(r.waypoints.size() == 1);
  CHECK(r.waypoints[0].cluster == "cluster-1");
  CHECK(r.waypoints[0].record.key() == "demo/waypoint");
  CHECK(r.waypoints[0].services == 1);
  CHECK(r.waypoints[0].workloads == 1);
  REQUIRE(r.bindings.size() == 2);
  CHECK(r.bindings[0].kind == "Service");
  CHECK(r.bindings[0].object == "demo/web");
  CHECK(r.bindings[0].status == "Bound");
  CHECK(r.bindings[0].ingress_use_waypoint == true);
  CHECK(r.bindings[1].kind == "Pod");
  CHECK(r.bindings[1].object == "demo/db-0");
  CHECK(r.bindings[1].waypoint == "demo/gone");
  CHECK(r.bindings[1].status == "WaypointIsNotReady");
}
