#include <catch2/catch.hpp>

#include "unit/xds/address_builders.hpp"
#include "xds/delta_session.hpp"
#include "xds/type_urls.hpp"

using namespace ambient;
using namespace ambient::xds;
using namespace ambient::test; // the builders of address_builders.hpp
using strings = std::vector<std::string>;

namespace {

const std::string address_type{address_type_url};

delta_request subscribe(strings names, std::string nonce = "") {
  delta_request r;
  r.type_url = address_type;
  r.subscribe = std::move(names);
  r.response_nonce = std::move(nonce);
  return r;
}

delta_request unsubscribe(strings names, std::string nonce = "") {
  delta_request r;
  r.type_url = address_type;
  r.unsubscribe = std::move(names);
  r.response_nonce = std::move(nonce);
  return r;
}

/// Sends `s` a first request subscribing to `names` and takes its response (returned): later
/// responses carry only what changes after.
delta_response subscribe_and_take_first(delta_session& s, const resource_table& t, strings names) {
  s.on_request(subscribe(std::move(names)));
  auto r = s.next_response(t);
  REQUIRE(r);
  return *r;
}

delta_request ack(std::string nonce) {
  return subscribe({}, std::move(nonce));
}

delta_request nack(std::string nonce, std::string message) {
  auto r = ack(std::move(nonce));
  r.has_error = true;
  r.error_message = std::move(message);
  return r;
}

/// w1 (10.0.0.1) and w2 (10.0.0.2) in service web (10.96.0.1), w3 (10.0.0.3) alone; version 1.
resource_table populated_table() {
  auto t = address_table();
  auto web = service_key("web");
  apply_addresses(t, make_delta(1, {make_service_resource("web", "10.96.0.1"),
                                    make_workload_resource("w1", "10.0.0.1", {web}),
                                    make_workload_resource("w2", "10.0.0.2", {web}),
                                    make_workload_resource("w3", "10.0.0.3")}));
  return t;
}

} // namespace

TEST_CASE("a first request naming nothing is a wildcard and gets every resource", "[xds]") {
  auto t = populated_table();
  delta_session s{address_type};
  auto out = s.on_request(subscribe({}));
  CHECK(out.kind == request_kind::initial);
  CHECK(s.wildcard());
  auto r = s.next_response(t);
  REQUIRE(r);
  CHECK(names_of(*r) == strings{service_key("web") + "@1", "w1@1", "w2@1", "w3@1"});
  CHECK(r->removed.empty());
  CHECK(r->nonce == "1");
  CHECK(r->system_version == "1");
  CHECK(!s.next_response(t)); // up to date
}

TEST_CASE("a first wildcard request on an empty table still gets an empty response", "[xds]") {
  auto t = address_table();
  auto first = GENERATE(strings{}, strings{"*"});
  delta_session s{address_type};
  s.on_request(subscribe(first));
  auto r = s.next_response(t);
  REQUIRE(r);
  CHECK(r->resources.empty());
  CHECK(r->removed.empty());
  CHECK(!s.next_response(t));
}

TEST_CASE("a type without legacy wildcard subscribes to nothing on an empty first request",
          "[xds]") {
  resource_table t{std::string{endpoint_type_url}};
  t.apply({{"cla", "bytes", {}}}, {}, 1);
  delta_session s{std::string{endpoint_type_url}};
  s.on_request(delta_request{});
  CHECK(!s.wildcard());
  auto r = s.next_response(t);
  REQUIRE(r); // the first request is always answered
  CHECK(r->resources.empty());
  t.apply({{"cla", "bytes2", {}}}, {}, 2);
  CHECK(!s.next_response(t));
}

TEST_CASE("many table changes between two responses coalesce into the latest state", "[xds]") {
  auto t = populated_table();
  delta_session s{address_type};
  subscribe_and_take_first(s, t, {"*"});
  for (uint64_t v = 2; v <= 20; ++v)
    apply_addresses(
        t, make_delta(v, {make_workload_resource("w3", "10.0.0.3", {}, "r" + std::to_string(v))}));
  apply_addresses(t, make_delta(21, {make_workload_resource("tmp", "10.0.0.50")}));
  apply_addresses(t,
                  make_delta(22, {}, {"tmp"})); // born and gone between two responses: never sent
  auto r = s.next_response(t);
  REQUIRE(r);
  CHECK(names_of(*r) == strings{"w3@20"});
  CHECK(r->removed.empty());
  CHECK(r->system_version == "22");
  CHECK(s.sent().at("w3") == "20");
}

TEST_CASE("removed resources reach a wildcard client in removed_resources", "[xds]") {
  auto t = populated_table();
  delta_session s{address_type};
  subscribe_and_take_first(s, t, {});
  apply_addresses(t, make_delta(2, {}, {"w1", "w3"}));
  auto r = s.next_response(t);
  REQUIRE(r);
  CHECK(r->resources.empty());
  CHECK(r->removed == strings{"w1", "w3"});
  CHECK(!s.sent().contains("w1"));
}

TEST_CASE("on-demand keys get the resources they resolve to and nothing else", "[xds]") {
  auto web = service_key("web");
  struct row {
    std::string key;
    strings sent;
  };
  auto rows = GENERATE_COPY(values<row>({
      {"w3", {"w3@1"}},
      {"net1/10.0.0.1", {"w1@1"}},
      {"net1/10.96.0.1", {web + "@1", "w1@1", "w2@1"}},
      {web, {web + "@1", "w1@1", "w2@1"}},
  }));
  CAPTURE(rows.key);
  auto t = populated_table();
  delta_session s{address_type};
  s.on_request(subscribe({rows.key}));
  CHECK(!s.wildcard());
  auto r = s.next_response(t);
  REQUIRE(r);
  CHECK(names_of(*r) == rows.sent);
  CHECK(r->removed.empty());
  // A resource outside the subscription changes: nothing to send.
  apply_addresses(t, make_delta(2, {make_workload_resource("w9", "10.0.0.9")}));
  CHECK(!s.next_response(t));
}

TEST_CASE("a service subscription follows workloads that join and leave the service", "[xds]") {
  auto web = service_key("web");
  auto t = populated_table();
  delta_session s{address_type};
  subscribe_and_take_first(s, t, {web});
  apply_addresses(t, make_delta(2, {make_workload_resource("w3", "10.0.0.3", {web}),
                                    make_workload_resource("w2", "10.0.0.2")}));
  auto r = s.next_response(t);
  REQUIRE(r);
  CHECK(names_of(*r) == strings{"w3@2"});
  CHECK(r->removed == strings{"w2"}); // no longer part of what the client asked for
}

TEST_CASE("names that do not exist are answered in removed and sent when they appear", "[xds]") {
  auto t = populated_table();
  delta_session s{address_type};
  s.on_request(subscribe({"w1", "ghost", "net1/10.9.9.9"}));
  auto r = s.next_response(t);
  REQUIRE(r);
  CHECK(names_of(*r) == strings{"w1@1"});
  CHECK(r->removed == strings{"ghost", "net1/10.9.9.9"});
  CHECK(!s.next_response(t)); // said once
  apply_addresses(t, make_delta(2, {make_workload_resource("ghost", "10.9.9.9")}));
  r = s.next_response(t);
  REQUIRE(r);
  CHECK(names_of(*r) == strings{"ghost@2"});
}

TEST_CASE("ztunnel's on-demand opening subscribes to nothing and still gets a response", "[xds]") {
  auto t = populated_table();
  delta_session s{address_type};
  auto first = subscribe({"*"});
  first.unsubscribe = {"*"};
  s.on_request(first);
  CHECK(!s.wildcard());
  auto r = s.next_response(t);
  REQUIRE(r);
  CHECK(r->resources.empty());
  CHECK(r->removed.empty());
  apply_addresses(t, make_delta(2, {make_workload_resource("w1", "10.0.0.1", {}, "x")}));
  CHECK(!s.next_response(t));
  s.on_request(subscribe({"net1/10.0.0.1"}, r->nonce));
  r = s.next_response(t);
  REQUIRE(r);
  CHECK(names_of(*r) == strings{"w1@2"});
}

TEST_CASE("a reconnect with initial_resource_versions resends only what differs", "[xds]") {
  auto t = populated_table();
  apply_addresses(t, make_delta(2, {make_workload_resource("w2", "10.0.0.2", {}, "new")}));
  struct row {
    strings subscribe;
    std::map<std::string, std::string> have;
    strings sent;
    strings removed;
  };
  auto web = service_key("web");
  auto rows = GENERATE_COPY(values<row>({
      // wildcard: w1 current, w2 outdated, gone vanished, web and w3 missing
      {{}, {{"w1", "1"}, {"w2", "1"}, {"gone", "1"}}, {web + "@1", "w2@2", "w3@1"}, {"gone"}},
      // ztunnel sends empty versions: everything is resent
      {{}, {{"w1", ""}}, {web + "@1", "w1@1", "w2@2", "w3@1"}, {}},
      // by name: w1 current, w3 held (so subscribed again) and current, gone vanished
      {{"w1", "w2"}, {{"w1", "1"}, {"w3", "1"}, {"gone", "1"}}, {"w2@2"}, {"gone"}},
  }));
  delta_session s{address_type};
  auto req = subscribe(rows.subscribe, "17"); // a nonce of the previous stream
  req.initial_resource_versions = rows.have;
  CHECK(s.on_request(req).kind == request_kind::initial);
  auto r = s.next_response(t);
  REQUIRE(r);
  CHECK(names_of(*r) == rows.sent);
  CHECK(r->removed == rows.removed);
  CHECK(s.stats().stale_nonces == 0);
}

TEST_CASE("versions cached from another process never pass for this one's", "[xds]") {
  // Before a restart (or on another replica) table version 1 was other content.
  resource_table t{std::string{address_type}};
  t.set_version_prefix("5f3a09c1-");
  apply_addresses(t, make_delta(1, {make_workload_resource("w1", "10.0.0.1")}));
  auto have = GENERATE(as<std::string>{}, "1", "0b7e44d2-1");
  delta_session s{address_type};
  auto req = subscribe({});
  req.initial_resource_versions = {{"w1", have}};
  s.on_request(req);
  auto r = s.next_response(t);
  REQUIRE(r);
  CHECK(names_of(*r) == strings{"w1@5f3a09c1-1"});
  CHECK(r->system_version == "5f3a09c1-1");
}

TEST_CASE("an ACK of the latest nonce is recorded and needs no response", "[xds]") {
  auto t = populated_table();
  delta_session s{address_type};
  auto r = subscribe_and_take_first(s, t, {});
  auto out = s.on_request(ack(r.nonce));
  CHECK(out.kind == request_kind::ack);
  CHECK(!out.subscription_changed);
  CHECK(s.stats().acks == 1);
  CHECK(s.stats().last_acked_nonce == "1");
  CHECK(!s.next_response(t));
}

TEST_CASE("a NACK is counted, the rejected version not resent, a newer one sent", "[xds]") {
  auto t = populated_table();
  delta_session s{address_type};
  auto r = subscribe_and_take_first(s, t, {});
  auto out = s.on_request(nack(r.nonce, "bad workload w1"));
  CHECK(out.kind == request_kind::nack);
  CHECK(out.rejected);
  CHECK(s.stats().nacks == 1);
  CHECK(s.stats().last_error == "bad workload w1");
  CHECK(s.stats().last_nacked_nonce == "1");
  CHECK(!s.next_response(t)); // no retry loop
  apply_addresses(t, make_delta(2, {make_workload_resource("w1", "10.0.0.1", {}, "fixed")}));
  auto fixed = s.next_response(t);
  REQUIRE(fixed);
  CHECK(names_of(*fixed) == strings{"w1@2"});
  CHECK(fixed->nonce == "2");
}

TEST_CASE("a stale nonce is no ACK but its subscription changes apply", "[xds]") {
  auto t = populated_table();
  delta_session s{address_type};
  auto first = subscribe_and_take_first(s, t, {"w1"});
  apply_addresses(t, make_delta(2, {make_workload_resource("w1", "10.0.0.1", {}, "b")}));
  auto second = s.next_response(t);
  REQUIRE(second);
  auto out = s.on_request(subscribe({"w3"}, first.nonce));
  CHECK(out.kind == request_kind::stale);
  CHECK(out.subscription_changed);
  CHECK(s.stats().stale_nonces == 1);
  CHECK(s.stats().acks == 0);
  CHECK(s.stats().last_acked_nonce.empty());
  auto r = s.next_response(t);
  REQUIRE(r);
  CHECK(names_of(*r) == strings{"w3@1"});
}

TEST_CASE("nonces are increasing decimal strings", "[xds]") {
  auto t = address_table();
  delta_session s{address_type};
  s.on_request(subscribe({}));
  strings nonces;
  for (uint64_t v = 1; v <= 12; ++v) {
    apply_addresses(t,
                    make_delta(v, {make_workload_resource("w" + std::to_string(v), "10.0.0.1")}));
    auto r = s.next_response(t);
    REQUIRE(r);
    nonces.push_back(r->nonce);
  }
  CHECK(nonces.front() == "1");
  CHECK(nonces.back() == "12");
  CHECK(s.stats().responses == 12);
}

TEST_CASE("unsubscribing a name drops it silently and resubscribing sends it again", "[xds]") {
  auto t = populated_table();
  delta_session s{address_type};
  subscribe_and_take_first(s, t, {"w1", "w3"});
  auto out = s.on_request(unsubscribe({"w1", "never-subscribed"}));
  CHECK(out.subscription_changed);
  CHECK(!s.next_response(t)); // nothing to say: the client dropped it itself
  CHECK(!s.sent().contains("w1"));
  apply_addresses(t, make_delta(2, {make_workload_resource("w1", "10.0.0.1", {}, "c")}));
  CHECK(!s.next_response(t));
  s.on_request(subscribe({"w1"}));
  auto r = s.next_response(t);
  REQUIRE(r);
  CHECK(names_of(*r) == strings{"w1@2"});
}

TEST_CASE("a name subscribed again is resent although the client had it", "[xds]") {
  auto t = populated_table();
  delta_session s{address_type};
  subscribe_and_take_first(s, t, {"w1"});
  auto out = s.on_request(subscribe({"w1"}));
  CHECK(!out.subscription_changed);
  auto r = s.next_response(t);
  REQUIRE(r);
  CHECK(names_of(*r) == strings{"w1@1"});
}

TEST_CASE("unsubscribing a name under a wildcard resends it or reports it removed", "[xds]") {
  auto t = populated_table();
  delta_session s{address_type};
  s.on_request(subscribe({"*", "w1", "ghost"}));
  auto r = s.next_response(t);
  REQUIRE(r);
  CHECK(r->removed == strings{"ghost"});
  s.on_request(unsubscribe({"w1", "ghost"}));
  r = s.next_response(t);
  REQUIRE(r);
  CHECK(names_of(*r) == strings{"w1@1"});
  CHECK(r->removed == strings{"ghost"});
}

TEST_CASE("unsubscribing the wildcard removes what no name still covers", "[xds]") {
  auto t = populated_table();
  delta_session s{address_type};
  subscribe_and_take_first(s, t, {"*", "w1"});
  s.on_request(unsubscribe({"*"}));
  CHECK(!s.wildcard());
  auto r = s.next_response(t);
  REQUIRE(r);
  CHECK(r->resources.empty());
  CHECK(r->removed == strings{service_key("web"), "w2", "w3"});
  CHECK(s.sent().size() == 1);
}

TEST_CASE("unsubscribing a service key removes the workloads it brought in", "[xds]") {
  auto web = service_key("web");
  auto t = populated_table();
  delta_session s{address_type};
  subscribe_and_take_first(s, t, {web, "w1"});
  s.on_request(unsubscribe({web}));
  auto r = s.next_response(t);
  REQUIRE(r);
  CHECK(r->resources.empty());
  CHECK(r->removed == strings{"w2"}); // web itself was dropped by the client, w1 still named
}

TEST_CASE("a change-log compaction makes the session compare everything", "[xds]") {
  resource_table t{address_type, 2};
  apply_addresses(t, make_delta(1, {make_workload_resource("a", "10.0.0.1"),
                                    make_workload_resource("b", "10.0.0.2")}));
  delta_session s{address_type};
  subscribe_and_take_first(s, t, {});
  apply_addresses(t, make_delta(2, {make_workload_resource("c", "10.0.0.3")}, {"a"}));
  apply_addresses(t, make_delta(3, {make_workload_resource("d", "10.0.0.4")}));
  apply_addresses(t, make_delta(4, {make_workload_resource("e", "10.0.0.5")}));
  REQUIRE(t.changed_since(1).full_resync);
  auto r = s.next_response(t);
  REQUIRE(r);
  CHECK(names_of(*r) == strings{"c@2", "d@3", "e@4"});
  CHECK(r->removed == strings{"a"});
}

TEST_CASE("a request for another type URL is ignored", "[xds]") {
  auto t = populated_table();
  delta_session s{address_type};
  auto r = subscribe({});
  r.type_url = std::string{authorization_type_url};
  CHECK(s.on_request(r).kind == request_kind::wrong_type);
  CHECK(!s.next_response(t));
}

TEST_CASE("an address subscription follows whichever workload holds the address", "[xds]") {
  auto t = populated_table();
  delta_session s{address_type};
  subscribe_and_take_first(s, t, {"net1/10.0.0.3"});
  apply_addresses(t, make_delta(2, {make_workload_resource("w3", "10.0.0.7")}));
  auto r = s.next_response(t);
  REQUIRE(r);
  CHECK(r->resources.empty());
  CHECK(r->removed == strings{"w3"});
  apply_addresses(t, make_delta(3, {make_workload_resource("w5", "10.0.0.3")}));
  r = s.next_response(t);
  REQUIRE(r);
  CHECK(names_of(*r) == strings{"w5@3"});
  CHECK(r->removed.empty());
}
