#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "mesh/mesh_index.hpp"
#include "support/mesh_builders.hpp"
#include "support/mesh_index_helpers.hpp"

// Waypoints through the mesh index: each input change reaches ztunnel as the smallest delta that
// carries the new waypoint fields, within one cluster and across clusters.

using namespace ambient;
using namespace ambient::mesh;
using ambient::test::make_map;
using ambient::test::make_namespace;
using ambient::test::make_pod;
using ambient::test::make_port;
using ambient::test::make_service;
using ambient::test::set_label;
using strings = std::vector<std::string>;

namespace {

const std::string web_uid = "cluster-1//Pod/demo/web-0";
const std::string web_svc = "demo/web.demo.svc.cluster.local";

/// A waypoint Gateway `ns/name` with an HBONE listener on 15008 and, unless empty, a Hostname
/// status address `<name>.<ns>.svc.cluster.local` (or `address` when given).
kube::gateway waypoint_gw(std::string ns = "demo", std::string name = "waypoint", bool ready = true,
                          std::string address = "") {
  kube::gateway g;
  g.meta.namespace_ = std::move(ns);
  g.meta.name = std::move(name);
  g.gateway_class = "istio-waypoint";
  g.listeners.push_back({"mesh", "HBONE", 15008, ""});
  if (ready) {
    if (address.empty())
      g.addresses.push_back(
          {"Hostname", g.meta.name + "." + g.meta.namespace_ + ".svc.cluster.local"});
    else
      g.addresses.push_back({"IPAddress", address});
  }
  return g;
}

kube::gateway_class waypoint_class(std::string waypoint_for = "") {
  kube::gateway_class c;
  c.meta.name = "istio-waypoint";
  c.controller_name = "istio.io/mesh-controller";
  if (!waypoint_for.empty())
    c.meta.labels = make_map({{"istio.io/waypoint-for", waypoint_for}});
  return c;
}

kube::namespace_ demo_ns(kube::string_map labels = {}) {
  return make_namespace("demo", std::move(labels));
}

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

const istio::workload::Address& address_of(const mesh_index& idx, const std::string& name) {
  auto it = idx.resources().find(name);
  REQUIRE(it != idx.resources().end());
  return it->second->address;
}

/// The waypoint hostname of a workload or service ("" when unset; "ip:<n bytes>@net" for an IP).
std::string waypoint_of(const mesh_index& idx, const std::string& name) {
  const auto& a = address_of(idx, name);
  const auto& w = a.has_workload() ? a.workload().waypoint() : a.service().waypoint();
  bool set = a.has_workload() ? a.workload().has_waypoint() : a.service().has_waypoint();
  if (!set)
    return "";
  if (w.has_hostname())
    return w.hostname().namespace_() + "/" + w.hostname().hostname() + ":"
           + std::to_string(w.hbone_mtls_port());
  return "ip:" + std::to_string(w.address().address().size()) + "@" + w.address().network();
}

strings upserted(const mesh_delta& d) {
  strings out;
  for (const auto& r : d.upserted)
    out.push_back(r->name);
  std::sort(out.begin(), out.end());
  return out;
}

uint64_t skipped(mesh_index& idx, skip_reason r) {
  return idx.skips().counts()[static_cast<size_t>(r)];
}

const std::string demo_wp = "demo/waypoint.demo.svc.cluster.local:15008";

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
