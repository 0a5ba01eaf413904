// What a delta session does as istiod 1.28.3 does for ztunnel: a non-wildcard reconnect's
// initial_resource_versions subscribe, NODE_NAME's workloads are pushed to on-demand sessions
// unasked, and aliases go out only on on-demand sessions.
#include <catch2/catch.hpp>

#include <google/protobuf/struct.pb.h>

#include "unit/xds/address_builders.hpp"
#include "xds/ads_server.hpp"
#include "xds/delta_session.hpp"
#include "xds/type_urls.hpp"

using namespace ambient;
using namespace ambient::xds;
using namespace ambient::test; // the builders of address_builders.hpp
using strings = std::vector<std::string>;

namespace {

const std::string address_type{address_type_url};

/// ztunnel's on-demand opening: subscribe "*" and unsubscribe it (then name keys later).
delta_request on_demand_opening(std::map<std::string, std::string> have = {},
                                std::string node = "") {
  delta_request r;
  r.type_url = address_type;
  r.subscribe = {"*"};
  r.unsubscribe = {"*"};
  r.initial_resource_versions = std::move(have);
  r.node_name = std::move(node);
  return r;
}

/// A wildcard first request (ztunnel's default), with what the client has and its node.
delta_request wildcard_opening(std::map<std::string, std::string> have = {},
                               std::string node = "") {
  delta_request r;
  r.type_url = address_type;
  r.initial_resource_versions = std::move(have);
  r.node_name = std::move(node);
  return r;
}

delta_request request(strings subscribe, strings unsubscribe = {}) {
  delta_request r;
  r.type_url = address_type;
  r.subscribe = std::move(subscribe);
  r.unsubscribe = std::move(unsubscribe);
  return r;
}

/// The session's next response, which must exist.
delta_response take(delta_session& s, const resource_table& t) {
  auto r = s.next_response(t);
  REQUIRE(r);
  return *r;
}

/// w1 (10.0.0.1) and w2 (10.0.0.2) in service web (10.96.0.1), w3 (10.0.0.3) alone; w1 and w3 on
/// node-a, w2 on node-b; version 1.
resource_table noded_table() {
  auto t = address_table();
  auto web = service_key("web");
  apply_addresses(t, make_delta(1, {make_service_resource("web", "10.96.0.1"),
                                    make_workload_resource("w1", "10.0.0.1", {web}, "", "node-a"),
                                    make_workload_resource("w2", "10.0.0.2", {web}, "", "node-b"),
                                    make_workload_resource("w3", "10.0.0.3", {}, "", "node-a")}));
  return t;
}

} // namespace

TEST_CASE("an on-demand reconnect subscribes the names it lists in initial_resource_versions",
          "[xds]") {
  auto t = noded_table();
  delta_session s{address_type};
  // ztunnel lists what it received or demanded, at version "": a workload, an alias it
  // demanded, and one that vanished while it was away.
  s.on_request(on_demand_opening({{"w1", ""}, {"net1/10.0.0.2", ""}, {"gone", ""}}));
  CHECK(!s.wildcard());
  CHECK(s.subscribed() == std::set<std::string>{"gone", "net1/10.0.0.2", "w1"});
  auto r = take(s, t);
  CHECK(names_of(r) == strings{"w1@1", "w2@1"});
  CHECK(r.removed == strings{"gone"}); // the alias is answered by w2, not removed
  CHECK(!s.next_response(t));

  // Later changes to what it listed keep coming; what vanishes is reported removed.
  apply_addresses(
      t, make_delta(2, {make_workload_resource("w1", "10.0.0.1", {}, "v2", "node-a")}, {"w2"}));
  r = take(s, t);
  CHECK(names_of(r) == strings{"w1@2"});
  CHECK(r.removed == strings{"w2"});
  // A listed name that appears is sent.
  apply_addresses(t, make_delta(3, {make_workload_resource("gone", "10.0.0.9")}));
  r = take(s, t);
  CHECK(names_of(r) == strings{"gone@3"});
}

TEST_CASE("an on-demand reconnect does not resend what it holds at the current version", "[xds]") {
  auto t = noded_table();
  delta_session s{address_type};
  s.on_request(on_demand_opening({{"w1", "1"}, {"w3", "0"}}));
  auto r = take(s, t);
  CHECK(names_of(r) == strings{"w3@1"});
  CHECK(r.removed.empty());
  apply_addresses(t, make_delta(2, {make_workload_resource("w1", "10.0.0.1", {}, "v2")}));
  CHECK(names_of(take(s, t)) == strings{"w1@2"});
}

TEST_CASE("a wildcard reconnect does not subscribe the names it lists", "[xds]") {
  auto t = noded_table();
  delta_session s{address_type};
  s.on_request(wildcard_opening({{"w1", "1"}, {"gone", "1"}}));
  CHECK(s.wildcard());
  CHECK(s.subscribed().empty());
  auto r = take(s, t);
  CHECK(names_of(r) == strings{service_key("web") + "@1", "w2@1", "w3@1"});
  CHECK(r.removed == strings{"gone"});
  // Without the wildcard nothing is left: the listed names were never subscribed.
  s.on_request(request({}, {"*"}));
  r = take(s, t);
  CHECK(r.resources.empty());
  CHECK(r.removed == strings{service_key("web"), "w1", "w2", "w3"});
}

TEST_CASE("an on-demand session gets the workloads of its node without subscribing", "[xds]") {
  auto t = noded_table();
  delta_session s{address_type};
  s.on_request(on_demand_opening({}, "node-a"));
  auto r = take(s, t);
  CHECK(names_of(r) == strings{"w1@1", "w3@1"});
  CHECK(r.removed.empty());
  CHECK(s.subscribed().empty());

  // A workload of another node changes: nothing to say.
  apply_addresses(t, make_delta(2, {make_workload_resource("w2", "10.0.0.2", {}, "x", "node-b")}));
  CHECK(!s.next_response(t));
  // w2 arrives on the node, w1 leaves it, w3 changes, w4 is created there.
  apply_addresses(t, make_delta(3, {make_workload_resource("w2", "10.0.0.2", {}, "x", "node-a"),
                                    make_workload_resource("w1", "10.0.0.1", {}, "", "node-b"),
                                    make_workload_resource("w3", "10.0.0.3", {}, "y", "node-a"),
                                    make_workload_resource("w4", "10.0.0.4", {}, "", "node-a")}));
  r = take(s, t);
  CHECK(names_of(r) == strings{"w2@3", "w3@3", "w4@3"});
  CHECK(r.removed == strings{"w1"});
  // A node-local workload vanishes.
  apply_addresses(t, make_delta(4, {}, {"w3"}));
  r = take(s, t);
  CHECK(r.resources.empty());
  CHECK(r.removed == strings{"w3"});
  CHECK(s.sent().size() == 2);
}

TEST_CASE("a node-local workload that a subscribed key covers stays when it leaves the node",
          "[xds]") {
  auto t = noded_table();
  delta_session s{address_type};
  s.on_request(on_demand_opening({}, "node-a"));
  take(s, t);
  s.on_request(request({"net1/10.0.0.1"}));
  CHECK(names_of(take(s, t)) == strings{"w1@1"}); // a subscribed name is answered
  apply_addresses(t, make_delta(2, {make_workload_resource("w1", "10.0.0.1", {}, "", "node-b")}));
  auto r = take(s, t);
  CHECK(names_of(r) == strings{"w1@2"});
  CHECK(r.removed.empty());
}

TEST_CASE("node-local workloads go only to on-demand sessions that name a node", "[xds]") {
  auto t = noded_table();
  SECTION("no NODE_NAME") {
    delta_session s{address_type};
    s.on_request(on_demand_opening());
    auto r = take(s, t);
    CHECK(r.resources.empty());
    apply_addresses(t, make_delta(2, {make_workload_resource("w5", "10.0.0.5", {}, "", "node-a")}));
    CHECK(!s.next_response(t));
  }
  SECTION("a wildcard keeps its node-local workloads when it drops the wildcard") {
    delta_session s{address_type};
    s.on_request(wildcard_opening({}, "node-a"));
    CHECK(take(s, t).resources.size() == 4);
    s.on_request(request({}, {"*"}));
    auto r = take(s, t);
    CHECK(r.resources.empty());
    CHECK(r.removed == strings{service_key("web"), "w2"});
  }
}

TEST_CASE("aliases go out on on-demand sessions and not on wildcard ones", "[xds]") {
  auto t = noded_table();
  delta_session on_demand{address_type};
  on_demand.on_request(on_demand_opening());
  take(on_demand, t);
  on_demand.on_request(request({"net1/10.0.0.3"}));
  auto od = take(on_demand, t);
  CHECK(od.with_aliases);
  auto od_proto = to_proto(od, address_type);
  REQUIRE(od_proto.resources_size() == 1);
  CHECK(od_proto.resources(0).name() == "w3");
  REQUIRE(od_proto.resources(0).aliases_size() == 1);
  CHECK(od_proto.resources(0).aliases(0) == "net1/10.0.0.3");

  delta_session wildcard{address_type};
  wildcard.on_request(wildcard_opening());
  auto wc = take(wildcard, t);
  CHECK(!wc.with_aliases);
  auto wc_proto = to_proto(wc, address_type);
  REQUIRE(wc_proto.resources_size() == 4);
  for (const auto& res : wc_proto.resources())
    CHECK(res.aliases_size() == 0);
  CHECK(t.find("w3")->aliases == strings{"net1/10.0.0.3"}); // the shared entry keeps them
}

TEST_CASE("a delta request proto carries the node metadata NODE_NAME when it is a string",
          "[xds]") {
  delta_request_proto p;
  p.set_type_url(address_type);
  CHECK(to_delta_request(p).node_name.empty()); // no node
  auto& fields = *p.mutable_node()->mutable_metadata()->mutable_fields();
  fields["NODE_NAME"].set_number_value(7);
  CHECK(to_delta_request(p).node_name.empty());
  fields["NODE_NAME"].set_string_value("node-a");
  CHECK(to_delta_request(p).node_name == "node-a");
}
