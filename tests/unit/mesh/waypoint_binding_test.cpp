#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "mesh/waypoint.hpp"
#include "support/mesh_builders.hpp"
#include "support/waypoint_builders.hpp"

// How a Service or a workload binds a waypoint, as istiod 1.28.3 does (ambient/waypoints.go,
// fetchWaypointForTarget and its callers): object label, namespace label, none, traffic type,
// managed Services, instances, ingress-use-waypoint. Tables of our own.

using namespace ambient;
using namespace ambient::mesh;
using ambient::test::make_map;
using ambient::test::make_namespace;
using ambient::test::meta_of;

namespace {

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
    auto m = meta_of("demo", "x", make_map({{"istio.io/use-waypoint", "wp"}}));
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
  CHECK(bound_key(bind_waypoint(meta_of("demo", "p", make_map({{"istio.io/use-waypoint", "wp"}})),
                                &ns, wps, target))
        == "demo/wp");
  CHECK(bound_key(bind_waypoint(meta_of("demo", "p",
                                        make_map({{"istio.io/use-waypoint", "wp"},
                                                  {"istio.io/use-waypoint-namespace", "other"}})),
                                &ns, wps, target))
        == "other/wp");
  // Namespace labels, alone and with a namespace.
  auto labelled = make_namespace("demo", make_map({{"istio.io/use-waypoint", "wp"}}));
  CHECK(bound_key(bind_waypoint(meta_of("demo", "p"), &labelled, wps, target)) == "demo/wp");
  auto infra = make_namespace("demo", make_map({{"istio.io/use-waypoint", "wp"},
                                                {"istio.io/use-waypoint-namespace", "infra"}}));
  CHECK(bound_key(bind_waypoint(meta_of("demo", "p"), &infra, wps, target)) == "infra/wp");
  // The object's label wins; a missing one does not fall back to the namespace's.
  auto ns_b = make_namespace("demo", make_map({{"istio.io/use-waypoint", "b"}}));
  CHECK(bound_key(bind_waypoint(meta_of("demo", "p", make_map({{"istio.io/use-waypoint", "wp"}})),
                                &ns_b, wps, target))
        == "demo/wp");
  auto missing = bind_waypoint(meta_of("demo", "p", make_map({{"istio.io/use-waypoint", "gone"}})),
                               &ns_b, wps, target);
  CHECK(missing.bound == nullptr);
  CHECK(missing.error == binding_error::not_ready);
  CHECK(missing.named == "demo/gone");
  // A lone use-waypoint-namespace on the object is ignored: the namespace's label applies.
  CHECK(bound_key(bind_waypoint(
            meta_of("demo", "p", make_map({{"istio.io/use-waypoint-namespace", "infra"}})), &ns_b,
            wps, target))
        == "demo/b");
  // No label anywhere: nothing, no error.
  auto none = bind_waypoint(meta_of("demo", "p"), &ns, wps, target);
  CHECK(none.bound == nullptr);
  CHECK(none.error == binding_error::none);
  CHECK(none.named.empty());
}

TEST_CASE("none opts out without falling back", "[mesh][waypoint]") {
  auto wps = waypoints_of({{"demo/b", "all"}});
  auto ns_b = make_namespace("demo", make_map({{"istio.io/use-waypoint", "b"}}));
  auto own_none = bind_waypoint(meta_of("demo", "p", make_map({{"istio.io/use-waypoint", "none"}})),
                                &ns_b, wps, waypoint_target::workload);
  CHECK(own_none.bound == nullptr);
  CHECK(own_none.error == binding_error::none);
  auto ns_none = make_namespace("demo", make_map({{"istio.io/use-waypoint", "none"}}));
  auto n = bind_waypoint(meta_of("demo", "p"), &ns_none, wps, waypoint_target::workload);
  CHECK(n.bound == nullptr);
  CHECK(n.error == binding_error::none);
  // An empty value names "<ns>/": never ready.
  auto empty = bind_waypoint(meta_of("demo", "p", make_map({{"istio.io/use-waypoint", ""}})), &ns_b,
                             wps, waypoint_target::workload);
  CHECK(empty.error == binding_error::not_ready);
  CHECK(empty.named == "demo/");
}

TEST_CASE("a pod naming a service waypoint gets none even if its namespace names another",
          "[mesh][waypoint]") {
  auto wps = waypoints_of({{"demo/svc-only", "service"}, {"demo/all", "all"}});
  auto ns = make_namespace("demo", make_map({{"istio.io/use-waypoint", "all"}}));
  auto b = bind_waypoint(meta_of("demo", "p", make_map({{"istio.io/use-waypoint", "svc-only"}})),
                         &ns, wps, waypoint_target::workload);
  CHECK(b.bound == nullptr);
  CHECK(b.error == binding_error::unsupported_traffic);
  CHECK(to_string(b.error) == "UnsupportedTrafficType");
}

TEST_CASE("services managed by the mesh or east west controllers never bind", "[mesh][waypoint]") {
  auto wps = waypoints_of({{"demo/wp", "all"}});
  auto ns = make_namespace("demo", make_map({{"istio.io/use-waypoint", "wp"}}));
  for (std::string managed : {"istio.io-mesh-controller", "istio.io-eastwest-controller"}) {
    auto b = bind_waypoint(meta_of("demo", "wp", make_map({{"gateway.istio.io/managed", managed}})),
                           &ns, wps, waypoint_target::service);
    CHECK(b.bound == nullptr);
    CHECK(b.error == binding_error::none);
  }
  // Another value binds as usual.
  CHECK(
      bound_key(bind_waypoint(meta_of("demo", "web", make_map({{"gateway.istio.io/managed", "x"}})),
                              &ns, wps, waypoint_target::service))
      == "demo/wp");
}

TEST_CASE("an instance is found by its gateway name label in its namespace", "[mesh][waypoint]") {
  auto wps = waypoints_of({{"demo/wp", "service"}});
  CHECK(waypoint_instance_of(
            meta_of("demo", "wp-1", make_map({{"gateway.networking.k8s.io/gateway-name", "wp"}})),
            wps)
        == &wps.at("demo/wp"));
  CHECK(waypoint_instance_of(
            meta_of("other", "wp-1", make_map({{"gateway.networking.k8s.io/gateway-name", "wp"}})),
            wps)
        == nullptr);
  CHECK(
      waypoint_instance_of(
          meta_of("demo", "wp-1", make_map({{"gateway.networking.k8s.io/gateway-name", ""}})), wps)
      == nullptr);
  CHECK(waypoint_instance_of(meta_of("demo", "web"), wps) == nullptr);
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
