#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "mesh/waypoint.hpp"
#include "support/mesh_builders.hpp"

// The waypoint rules of istiod 1.28.3 (ambient/waypoints.go), as tables of our own: which Gateway
// is a waypoint, its address, traffic type, binding and attachment, and how an object binds.

using namespace ambient;
using namespace ambient::mesh;
using ambient::test::make_map;
using ambient::test::make_namespace;
using ambient::test::set_label;

namespace {

using istio::workload::ApplicationTunnel;

kube::gateway make_gw(std::string ns, std::string name,
                      std::vector<kube::gateway::address> addresses
                      = {{"Hostname", "wp.infra.svc.cluster.local"}}) {
  kube::gateway g;
  g.meta.namespace_ = std::move(ns);
  g.meta.name = std::move(name);
  g.gateway_class = "istio-waypoint";
  g.listeners.push_back({"mesh", "HBONE", 15008, ""});
  g.addresses = std::move(addresses);
  return g;
}

kube::gateway_class make_class(kube::string_map labels = {}, kube::string_map annotations = {}) {
  kube::gateway_class c;
  c.meta.name = "istio-waypoint";
  c.meta.labels = std::move(labels);
  c.meta.annotations = std::move(annotations);
  return c;
}

waypoint made(const kube::gateway& g, const kube::gateway_class* c, skip_log& skips) {
  auto w = make_waypoint(g, c, "net-1", {}, skips, "cluster-1");
  REQUIRE(w);
  return *w;
}

kube::object_meta meta(std::string ns, std::string name, kube::string_map labels = {}) {
  kube::object_meta m;
  m.namespace_ = std::move(ns);
  m.name = std::move(name);
  m.labels = std::move(labels);
  return m;
}

/// A map of ready waypoints: `<ns>/<name>` of the given traffic type, attachment Same.
waypoint_map waypoints_of(std::initializer_list<std::pair<std::string, std::string>> keys_types) {
  waypoint_map out;
  for (const auto& [key, type] : keys_types) {
    waypoint w;
    w.namespace_ = key.substr(0, key.find('/'));
    w.name = key.substr(key.find('/') + 1);
    w.traffic_type = type;
    w.address = waypoint_address{true, w.namespace_, w.name + ".svc"};
    out.emplace(key, std::move(w));
  }
  return out;
}

std::string bound_key(const waypoint_binding& b) {
  return b.bound == nullptr ? "" : b.bound->key();
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

TEST_CASE("each traffic type binds only its kinds of object", "[mesh][waypoint]") {
  struct row {
    std::string type;
    bool service, workload;
  };
  for (const auto& r : std::vector<row>{{"service", true, false},
                                        {"workload", false, true},
                                        {"all", true, true},
                                        {"none", false, false},
                                        {"bogus", false, false}}) {
    INFO(r.type);
    auto wps = waypoints_of({{"demo/wp", r.type}});
    auto m = meta("demo", "x", make_map({{"istio.io/use-waypoint", "wp"}}));
    auto s = bind_waypoint(m, nullptr, wps, waypoint_target::service);
    auto w = bind_waypoint(m, nullptr, wps, waypoint_target::workload);
    CHECK((s.bound != nullptr) == r.service);
    CHECK((w.bound != nullptr) == r.workload);
    CHECK(s.error == (r.service ? binding_error::none : binding_error::unsupported_traffic));
    CHECK(w.error == (r.workload ? binding_error::none : binding_error::unsupported_traffic));
  }
}

TEST_CASE("the object label then the namespace label name the waypoint", "[mesh][waypoint]") {
  auto wps = waypoints_of({{"demo/wp", "all"},
                           {"other/wp", "all"},
                           {"demo/b", "all"},
                           {"infra/wp", "all"},
                           {"infra/b", "all"}});
  for (auto& [key, w] : wps)
    w.attach.from = attachment_rule::source::all;
  const auto target = waypoint_target::workload;
  auto ns = make_namespace("demo");
  // Own label, own namespace; with use-waypoint-namespace.
  CHECK(bound_key(bind_waypoint(meta("demo", "p", make_map({{"istio.io/use-waypoint", "wp"}})), &ns,
                                wps, target))
        == "demo/wp");
  CHECK(bound_key(bind_waypoint(meta("demo", "p",
                                     make_map({{"istio.io/use-waypoint", "wp"},
                                               {"istio.io/use-waypoint-namespace", "other"}})),
                                &ns, wps, target))
        == "other/wp");
  // Namespace labels, alone and with a namespace.
  auto labelled = make_namespace("demo", make_map({{"istio.io/use-waypoint", "wp"}}));
  CHECK(bound_key(bind_waypoint(meta("demo", "p"), &labelled, wps, target)) == "demo/wp");
  auto infra = make_namespace("demo", make_map({{"istio.io/use-waypoint", "wp"},
                                                {"istio.io/use-waypoint-namespace", "infra"}}));
  CHECK(bound_key(bind_waypoint(meta("demo", "p"), &infra, wps, target)) == "infra/wp");
  // The object's label wins; a missing one does not fall back to the namespace's.
  auto ns_b = make_namespace("demo", make_map({{"istio.io/use-waypoint", "b"}}));
  CHECK(bound_key(bind_waypoint(meta("demo", "p", make_map({{"istio.io/use-waypoint", "wp"}})),
                                &ns_b, wps, target))
        == "demo/wp");
  auto missing = bind_waypoint(meta("demo", "p", make_map({{"istio.io/use-waypoint", "gone"}})),
                               &ns_b, wps, target);
  CHECK(missing.bound == nullptr);
  CHECK(missing.error == binding_error::not_ready);
  CHECK(missing.named == "demo/gone");
  // A lone use-waypoint-namespace on the object is ignored: the namespace's label applies.
  CHECK(bound_key(bind_waypoint(
            meta("demo", "p", make_map({{"istio.io/use-waypoint-namespace", "infra"}})), &ns_b, wps,
            target))
        == "demo/b");
  // No label anywhere: nothing, no error.
  auto none = bind_waypoint(meta("demo", "p"), &ns, wps, target);
  CHECK(none.bound == nullptr);
  CHECK(none.error == binding_error::none);
  CHECK(none.named.empty());
}

TEST_CASE("none opts out without falling back", "[mesh][waypoint]") {
  auto wps = waypoints_of({{"demo/b", "all"}});
  auto ns_b = make_namespace("demo", make_map({{"istio.io/use-waypoint", "b"}}));
  auto own_none = bind_waypoint(meta("demo", "p", make_map({{"istio.io/use-waypoint", "none"}})),
                                &ns_b, wps, waypoint_target::workload);
  CHECK(own_none.bound == nullptr);
  CHECK(own_none.error == binding_error::none);
  auto ns_none = make_namespace("demo", make_map({{"istio.io/use-waypoint", "none"}}));
  auto n = bind_waypoint(meta("demo", "p"), &ns_none, wps, waypoint_target::workload);
  CHECK(n.bound == nullptr);
  CHECK(n.error == binding_error::none);
  // An empty value names "<ns>/": never ready.
  auto empty = bind_waypoint(meta("demo", "p", make_map({{"istio.io/use-waypoint", ""}})), &ns_b,
                             wps, waypoint_target::workload);
  CHECK(empty.error == binding_error::not_ready);
  CHECK(empty.named == "demo/");
}

TEST_CASE("a pod naming a service waypoint gets none even if its namespace names another",
          "[mesh][waypoint]") {
  auto wps = waypoints_of({{"demo/svc-only", "service"}, {"demo/all", "all"}});
  auto ns = make_namespace("demo", make_map({{"istio.io/use-waypoint", "all"}}));
  auto b = bind_waypoint(meta("demo", "p", make_map({{"istio.io/use-waypoint", "svc-only"}})), &ns,
                         wps, waypoint_target::workload);
  CHECK(b.bound == nullptr);
  CHECK(b.error == binding_error::unsupported_traffic);
  CHECK(to_string(b.error) == "UnsupportedTrafficType");
}

TEST_CASE("services managed by the mesh or east west controllers never bind", "[mesh][waypoint]") {
  auto wps = waypoints_of({{"demo/wp", "all"}});
  auto ns = make_namespace("demo", make_map({{"istio.io/use-waypoint", "wp"}}));
  for (std::string managed : {"istio.io-mesh-controller", "istio.io-eastwest-controller"}) {
    auto b = bind_waypoint(meta("demo", "wp", make_map({{"gateway.istio.io/managed", managed}})),
                           &ns, wps, waypoint_target::service);
    CHECK(b.bound == nullptr);
    CHECK(b.error == binding_error::none);
  }
  // Another value binds as usual.
  CHECK(bound_key(bind_waypoint(meta("demo", "web", make_map({{"gateway.istio.io/managed", "x"}})),
                                &ns, wps, waypoint_target::service))
        == "demo/wp");
}

TEST_CASE("attachment follows the hbone listener allowed routes", "[mesh][waypoint]") {
  skip_log skips;
  auto g = make_gw("infra", "wp");
  set_label(g.meta.labels, "istio.io/waypoint-for", "all");
  auto bind_from = [&](const kube::gateway& gw, const kube::namespace_& ns) {
    waypoint_map wps;
    wps.emplace("infra/wp", made(gw, nullptr, skips));
    auto m = meta(
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

TEST_CASE("an instance is found by its gateway name label in its namespace", "[mesh][waypoint]") {
  auto wps = waypoints_of({{"demo/wp", "service"}});
  CHECK(waypoint_instance_of(
            meta("demo", "wp-1", make_map({{"gateway.networking.k8s.io/gateway-name", "wp"}})), wps)
        == &wps.at("demo/wp"));
  CHECK(
      waypoint_instance_of(
          meta("other", "wp-1", make_map({{"gateway.networking.k8s.io/gateway-name", "wp"}})), wps)
      == nullptr);
  CHECK(waypoint_instance_of(
            meta("demo", "wp-1", make_map({{"gateway.networking.k8s.io/gateway-name", ""}})), wps)
        == nullptr);
  CHECK(waypoint_instance_of(meta("demo", "web"), wps) == nullptr);
}

TEST_CASE("ingress use waypoint reads the service then the namespace", "[mesh][waypoint]") {
  auto yes = make_map({{"istio.io/ingress-use-waypoint", "TRUE"}});
  auto no = make_map({{"istio.io/ingress-use-waypoint", "false"}});
  auto ns_yes = make_map({{"istio.io/ingress-use-waypoint", "true"}});
  CHECK(ingress_use_waypoint(yes, nullptr) == true);
  CHECK(ingress_use_waypoint(no, &ns_yes) == false);
  CHECK(ingress_use_waypoint({}, &ns_yes) == true);
  CHECK(!ingress_use_waypoint({}, nullptr));
  CHECK(ingress_use_waypoint(make_map({{"istio.io/ingress-use-waypoint", "yes"}}), nullptr)
        == false);
}

TEST_CASE("named waypoint reads the object labels only", "[mesh][waypoint]") {
  CHECK(named_waypoint(make_map({{"istio.io/use-waypoint", "wp"}}), "demo") == "demo/wp");
  CHECK(named_waypoint(make_map({{"istio.io/use-waypoint", "wp"},
                                 {"istio.io/use-waypoint-namespace", "infra"}}),
                       "demo")
        == "infra/wp");
  CHECK(!named_waypoint(make_map({{"istio.io/use-waypoint", "none"}}), "demo"));
  CHECK(!named_waypoint(make_map({{"istio.io/use-waypoint-namespace", "infra"}}), "demo"));
}
