#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "mesh/waypoint.hpp"
#include "support/mesh_builders.hpp"
#include "support/waypoint_builders.hpp"

// Which Gateway is a waypoint, and what it is, as istiod 1.28.3 makes it (ambient/waypoints.go,
// makeWaypoint and its helpers): address, traffic type, inbound binding and attachment. Tables of
// our own.

using namespace ambient;
using namespace ambient::mesh;
using ambient::test::make_map;
using ambient::test::make_namespace;
using ambient::test::meta_of;
using ambient::test::set_label;

namespace {

using istio::workload::ApplicationTunnel;

kube::gateway make_gw(std::string ns, std::string name,
                      std::vector<kube::gateway::address> addresses
                      = {{"Hostname", "wp.infra.svc.cluster.local"}}) {
  return test::waypoint_gateway(std::move(ns), std::move(name), std::move(addresses));
}

kube::gateway_class make_class(kube::string_map labels = {}, kube::string_map annotations = {}) {
  auto c = test::waypoint_class({}, std::move(annotations));
  c.meta.labels = std::move(labels);
  return c;
}

waypoint made(const kube::gateway& g, const kube::gateway_class* c, skip_log& skips) {
  auto w = make_waypoint(g, c, "net-1", {}, skips, "cluster-1");
  REQUIRE(w);
  return *w;
}

} // namespace

TEST_CASE("a gateway without status addresses is no waypoint", "[mesh][waypoint]") {
  skip_log skips;
  CHECK(!make_waypoint(make_gw("infra", "wp", {}), nullptr, "net-1", {}, skips, "c1"));
  CHECK(skips.counts()[static_cast<size_t>(skip_reason::waypoint_class_missing)] == 0);
}

TEST_CASE("the class name does not decide what is a waypoint", "[mesh][waypoint]") {
  skip_log skips;
  auto g = make_gw("istio-system", "eastwest");
  g.gateway_class = "istio-east-west";
  auto w = made(g, nullptr, skips);
  CHECK(w.traffic_type == "service");
  CHECK(w.key() == "istio-system/eastwest");
  // No GatewayClass of that name: counted, the record still made.
  CHECK(skips.counts()[static_cast<size_t>(skip_reason::waypoint_class_missing)] == 1);
  auto cls = make_class();
  skip_log quiet;
  made(g, &cls, quiet);
  CHECK(quiet.counts()[static_cast<size_t>(skip_reason::waypoint_class_missing)] == 0);
}

TEST_CASE("a hostname status address wins from any place", "[mesh][waypoint]") {
  skip_log skips;
  auto w = made(make_gw("infra", "wp", {{"IPAddress", "10.0.0.10"}, {"Hostname", "wp.example"}}),
                nullptr, skips);
  REQUIRE(w.address);
  CHECK(*w.address == waypoint_address{true, "infra", "wp.example"});
  istio::workload::GatewayAddress ga;
  fill_gateway_address(*w.address, ga);
  CHECK(ga.hostname().namespace_() == "infra");
  CHECK(ga.hostname().hostname() == "wp.example");
  CHECK(ga.hbone_mtls_port() == 15008);
}

TEST_CASE("the first ip address that parses is used on the cluster network", "[mesh][waypoint]") {
  skip_log skips;
  auto w = made(make_gw("infra", "wp", {{"IPAddress", "nope"}, {"IPAddress", "10.0.0.9"}}), nullptr,
                skips);
  REQUIRE(w.address);
  CHECK(*w.address == waypoint_address{false, "net-1", std::string{"\x0a\x00\x00\x09", 4}});
  CHECK(skips.counts()[static_cast<size_t>(skip_reason::waypoint_bad_address)] == 1);
  istio::workload::GatewayAddress ga;
  fill_gateway_address(*w.address, ga);
  CHECK(ga.address().network() == "net-1");
  CHECK(ga.address().address().size() == 4);
  CHECK(ga.hbone_mtls_port() == 15008);

  auto v6 = made(make_gw("infra", "wp", {{"IPAddress", "::1"}}), nullptr, skips);
  REQUIRE(v6.address);
  CHECK(v6.address->value.size() == 16);
}

TEST_CASE("a waypoint without a usable address still exists", "[mesh][waypoint]") {
  for (auto addresses : std::vector<std::vector<kube::gateway::address>>{
           {{"NamedAddress", "x"}}, {{"", "10.0.0.1"}}, {{"IPAddress", "10.0.0.300"}}}) {
    skip_log skips;
    auto w = made(make_gw("infra", "wp", addresses), nullptr, skips);
    CHECK(!w.address);
    CHECK(skips.counts()[static_cast<size_t>(skip_reason::waypoint_no_address)] == 1);
  }
}

TEST_CASE("waypoint-for comes from the gateway then its class then service", "[mesh][waypoint]") {
  skip_log skips;
  auto g = make_gw("infra", "wp");
  CHECK(made(g, nullptr, skips).traffic_type == "service");
  auto cls = make_class(make_map({{"istio.io/waypoint-for", "workload"}}));
  CHECK(made(g, &cls, skips).traffic_type == "workload");
  set_label(g.meta.labels, "istio.io/waypoint-for", "all");
  CHECK(made(g, &cls, skips).traffic_type == "all");
  set_label(g.meta.labels, "istio.io/waypoint-for", "none");
  CHECK(made(g, &cls, skips).traffic_type == "none");
}

TEST_CASE("attachment follows the hbone listener allowed routes", "[mesh][waypoint]") {
  skip_log skips;
  auto g = make_gw("infra", "wp");
  set_label(g.meta.labels, "istio.io/waypoint-for", "all");
  auto bind_from = [&](const kube::gateway& gw, const kube::namespace_& ns) {
    waypoint_map wps;
    wps.emplace("infra/wp", made(gw, nullptr, skips));
    auto m = meta_of(
        ns.meta.name, "p",
        make_map({{"istio.io/use-waypoint", "wp"}, {"istio.io/use-waypoint-namespace", "infra"}}));
    return bind_waypoint(m, &ns, wps, waypoint_target::workload);
  };
  auto app = make_namespace("app", make_map({{"team", "a"}}));
  // Same (the default): another namespace is denied, its own allowed.
  CHECK(bind_from(g, app).error == binding_error::attachment_denied);
  CHECK(bind_from(g, make_namespace("infra")).bound != nullptr);
  auto& l = g.listeners[0];
  l.has_route_namespaces = true;
  l.routes_from = "All";
  CHECK(bind_from(g, app).bound != nullptr);
  l.routes_from = "Selector";
  CHECK(bind_from(g, app).error == binding_error::attachment_denied); // no selector: nothing
  l.routes_selector = kube::raw_label_selector{make_map({{"team", "a"}}), {}};
  CHECK(bind_from(g, app).bound != nullptr);
  CHECK(bind_from(g, make_namespace("app", make_map({{"team", "b"}}))).error
        == binding_error::attachment_denied);
  l.routes_selector = kube::raw_label_selector{};
  CHECK(bind_from(g, make_namespace("app")).bound != nullptr); // {} matches everything
  // An invalid selector denies, and is counted.
  l.routes_selector = kube::raw_label_selector{{}, {{"team", "Near", {"a"}}}};
  CHECK(bind_from(g, app).error == binding_error::attachment_denied);
  l.routes_selector = kube::raw_label_selector{{}, {{"team", "In", {}}}};
  CHECK(bind_from(g, app).error == binding_error::attachment_denied);
  CHECK(skips.counts()[static_cast<size_t>(skip_reason::waypoint_bad_selector)] == 2);
  // Only the HBONE listener on 15008 counts: elsewhere it is Same again.
  l.port = 15009;
  l.routes_selector.reset();
  l.routes_from = "All";
  CHECK(bind_from(g, app).error == binding_error::attachment_denied);
  g.listeners.clear();
  CHECK(bind_from(g, app).error == binding_error::attachment_denied);
}

TEST_CASE("the inbound binding comes from the gateway then its class", "[mesh][waypoint]") {
  skip_log skips;
  auto g = make_gw("infra", "wp");
  CHECK(!made(g, nullptr, skips).binding);
  g.meta.annotations = make_map({{"ambient.istio.io/waypoint-inbound-binding", "PROXY/15088"}});
  CHECK(made(g, nullptr, skips).binding == inbound_binding{ApplicationTunnel::PROXY, 15088});
  auto cls
      = make_class({}, make_map({{"ambient.istio.io/waypoint-inbound-binding", "PROXY/15088"}}));
  auto plain = make_gw("infra", "wp");
  CHECK(made(plain, &cls, skips).binding == inbound_binding{ApplicationTunnel::PROXY, 15088});
  g.meta.annotations = make_map({{"ambient.istio.io/waypoint-inbound-binding", "NONE"}});
  CHECK(made(g, &cls, skips).binding == inbound_binding{ApplicationTunnel::NONE, 0});
  CHECK(skips.counts()[static_cast<size_t>(skip_reason::waypoint_binding_annotation)] == 0);
}

TEST_CASE("inbound binding values are parsed as istiod parses them", "[mesh][waypoint]") {
  struct row {
    std::string value;
    std::optional<inbound_binding> want;
    bool counted;
  };
  for (const auto& r : std::vector<row>{
           {"PROXY", inbound_binding{ApplicationTunnel::PROXY, 0}, false},
           {"PROXY/abc", inbound_binding{ApplicationTunnel::PROXY, 0}, true},
           {"PROXY/", inbound_binding{ApplicationTunnel::PROXY, 0}, true},
           {"PROXY/99999999999", inbound_binding{ApplicationTunnel::PROXY, 4294967295U}, true},
           {"HTTP", std::nullopt, true},
           {"", std::nullopt, true},
           {"proxy", std::nullopt, true},
           {"a/b/c", std::nullopt, true}}) {
    INFO(r.value);
    skip_log skips;
    auto g = make_gw("infra", "wp");
    g.meta.annotations = make_map({{"ambient.istio.io/waypoint-inbound-binding", r.value}});
    CHECK(made(g, nullptr, skips).binding == r.want);
    CHECK((skips.counts()[static_cast<size_t>(skip_reason::waypoint_binding_annotation)] == 1)
          == r.counted);
  }
}

TEST_CASE("a bound listener decides attachment", "[mesh][waypoint]") {
  skip_log skips;
  auto g = make_gw("infra", "wp");
  set_label(g.meta.labels, "istio.io/waypoint-for", "all");
  kube::gateway::listener proxy{"proxy", "istio.io/PROXY", 15088, ""};
  proxy.has_route_namespaces = true;
  proxy.routes_from = "All";
  g.listeners.push_back(proxy);
  // Without a binding the HBONE listener (Same) decides.
  CHECK(made(g, nullptr, skips).attach.from == attachment_rule::source::same);
  // PROXY without a port: the istio.io/PROXY listener; with a port: the listener on that port.
  g.meta.annotations = make_map({{"ambient.istio.io/waypoint-inbound-binding", "PROXY"}});
  CHECK(made(g, nullptr, skips).attach.from == attachment_rule::source::all);
  g.meta.annotations = make_map({{"ambient.istio.io/waypoint-inbound-binding", "NONE/15088"}});
  CHECK(made(g, nullptr, skips).attach.from == attachment_rule::source::all);
  g.meta.annotations = make_map({{"ambient.istio.io/waypoint-inbound-binding", "PROXY/1"}});
  CHECK(made(g, nullptr, skips).attach.from == attachment_rule::source::same);
}
