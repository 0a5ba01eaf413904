#include <catch2/catch.hpp>

#include "unit/xds/address_builders.hpp"
#include "xds/sotw_session.hpp"
#include "xds/type_urls.hpp"

using namespace ambient::xds;
using ambient::test::names_of;
using strings = std::vector<std::string>;

namespace {

const std::string lds{listener_type_url};
const std::string cds{cluster_type_url};
const std::string eds{endpoint_type_url};

sotw_request request(const std::string& type, strings names, std::string nonce = "",
                     std::string version = "") {
  sotw_request r;
  r.type_url = type;
  r.resource_names = std::move(names);
  r.response_nonce = std::move(nonce);
  r.version_info = std::move(version);
  return r;
}

resource_table table_of(const std::string& type, strings names) {
  resource_table t{type};
  std::vector<resource_update> ups;
  for (auto& n : names)
    ups.push_back({n, "bytes of " + n, {}});
  t.apply(std::move(ups), {}, 1);
  return t;
}

/// Sends `s` a first request of `type` naming nothing and returns its response.
sotw_response take_first(sotw_session& s, const resource_table& t, const std::string& type) {
  s.on_request(request(type, {}));
  auto r = s.next_response(t);
  REQUIRE(r);
  return *r;
}

void touch(resource_table& t, const std::string& name, uint64_t version) {
  t.apply({{name, "bytes of " + name + " at " + std::to_string(version), {}}}, {}, version);
}

} // namespace

TEST_CASE("a first LDS or CDS request naming nothing gets every resource", "[xds]") {
  auto type = GENERATE_COPY(lds, cds);
  auto t = table_of(type, {"b", "a"});
  sotw_session s{type};
  auto out = s.on_request(request(type, {}));
  CHECK(out.kind == request_kind::initial);
  CHECK(s.wildcard());
  auto r = s.next_response(t);
  REQUIRE(r);
  CHECK(names_of(*r) == strings{"a@1", "b@1"});
  CHECK(r->version_info == "1");
  CHECK(r->nonce == "1");
  CHECK(!s.next_response(t));
}

TEST_CASE("an EDS request gets the named resources that exist, the rest when they appear",
          "[xds]") {
  auto t = table_of(eds, {"c1", "c2"});
  sotw_session s{eds};
  s.on_request(request(eds, {"c1", "c3"}));
  CHECK(!s.wildcard());
  auto r = s.next_response(t);
  REQUIRE(r);
  CHECK(names_of(*r) == strings{"c1@1"});
  touch(t, "c2", 2); // not subscribed
  CHECK(!s.next_response(t));
  touch(t, "c3", 3);
  r = s.next_response(t);
  REQUIRE(r);
  CHECK(names_of(*r) == strings{"c1@1", "c3@3"}); // the full subscribed set, not only c3
  CHECK(r->version_info == "3");
}

TEST_CASE("an empty first EDS request subscribes to nothing but is answered", "[xds]") {
  auto t = table_of(eds, {"c1"});
  sotw_session s{eds};
  s.on_request(request(eds, {}));
  CHECK(!s.wildcard());
  auto r = s.next_response(t);
  REQUIRE(r);
  CHECK(r->resources.empty());
  touch(t, "c1", 2);
  CHECK(!s.next_response(t));
}

TEST_CASE("a request with a stale or missing nonce is ignored entirely", "[xds]") {
  auto stale_nonce = GENERATE(std::string{"1"}, std::string{""}, std::string{"99"});
  auto t = table_of(eds, {"c1", "c2"});
  sotw_session s{eds};
  s.on_request(request(eds, {"c1"}));
  REQUIRE(s.next_response(t));
  touch(t, "c1", 2);
  auto second = s.next_response(t);
  REQUIRE(second);
  REQUIRE(second->nonce == "2");
  auto out = s.on_request(request(eds, {"c1", "c2"}, stale_nonce));
  CHECK(out.kind == request_kind::stale);
  CHECK(s.stats().stale_nonces == 1);
  CHECK(s.subscribed() == std::set<std::string>{"c1"});
  CHECK(!s.next_response(t));
}

TEST_CASE("an ACK records the accepted version and needs no response", "[xds]") {
  auto t = table_of(cds, {"a"});
  sotw_session s{cds};
  auto r = take_first(s, t, cds);
  auto out = s.on_request(request(cds, {}, r.nonce, r.version_info));
  CHECK(out.kind == request_kind::ack);
  CHECK(s.acked_version() == "1");
  CHECK(s.stats().acks == 1);
  CHECK(!s.next_response(t));
}

TEST_CASE("a NACK is counted, the version not resent, and a newer version sent", "[xds]") {
  auto t = table_of(lds, {"l1"});
  sotw_session s{lds};
  auto nack = request(lds, {}, take_first(s, t, lds).nonce, "");
  nack.has_error = true;
  nack.error_message = "router filter missing";
  auto out = s.on_request(nack);
  CHECK(out.kind == request_kind::nack);
  CHECK(s.stats().nacks == 1);
  CHECK(s.stats().last_error == "router filter missing");
  CHECK(s.acked_version().empty());
  CHECK(!s.next_response(t));
  touch(t, "l1", 2);
  auto r = s.next_response(t);
  REQUIRE(r);
  CHECK(names_of(*r) == strings{"l1@2"});
}

TEST_CASE("the legacy wildcard ends once names are given, then an empty list means none", "[xds]") {
  auto t = table_of(cds, {"a", "b"});
  sotw_session s{cds};
  s.on_request(request(cds, {}));
  auto r = s.next_response(t);
  REQUIRE(r);
  CHECK(!s.on_request(request(cds, {}, r->nonce)).subscription_changed); // still wildcard
  CHECK(s.on_request(request(cds, {"a"}, r->nonce)).subscription_changed);
  CHECK(!s.wildcard());
  r = s.next_response(t);
  REQUIRE(r);
  CHECK(names_of(*r) == strings{"a@1"});
  CHECK(s.on_request(request(cds, {}, r->nonce)).subscription_changed);
  r = s.next_response(t);
  REQUIRE(r);
  CHECK(r->resources.empty());
}

TEST_CASE("an explicit wildcard subscribes to every resource, names or not", "[xds]") {
  auto t = table_of(eds, {"c1", "c2"});
  sotw_session s{eds};
  s.on_request(request(eds, {"*", "c1"}));
  CHECK(s.wildcard());
  auto r = s.next_response(t);
  REQUIRE(r);
  CHECK(names_of(*r) == strings{"c1@1", "c2@1"});
}

TEST_CASE("a removal sends the full set without the removed resource", "[xds]") {
  auto t = table_of(lds, {"a", "b", "c"});
  sotw_session s{lds};
  take_first(s, t, lds);
  t.apply({}, {"b"}, 2);
  auto r = s.next_response(t);
  REQUIRE(r);
  CHECK(names_of(*r) == strings{"a@1", "c@1"});
  CHECK(r->version_info == "2");
  CHECK(s.sent().size() == 2);
}

TEST_CASE("a first request carrying an earlier server's version still gets a response", "[xds]") {
  auto t = table_of(cds, {"a"});
  sotw_session s{cds};
  s.on_request(request(cds, {}, "5", "1"));
  auto r = s.next_response(t);
  REQUIRE(r);
  CHECK(names_of(*r) == strings{"a@1"});
  CHECK(s.stats().stale_nonces == 0);
}

TEST_CASE("many table changes coalesce and an undone change sends nothing", "[xds]") {
  auto t = table_of(cds, {"a"});
  sotw_session s{cds};
  take_first(s, t, cds);
  t.apply({{"tmp", "x", {}}}, {}, 2);
  t.apply({}, {"tmp"}, 3);
  CHECK(!s.next_response(t));
  for (uint64_t v = 4; v < 10; ++v)
    touch(t, "a", v);
  auto r = s.next_response(t);
  REQUIRE(r);
  CHECK(names_of(*r) == strings{"a@9"});
  CHECK(r->nonce == "2");
}

TEST_CASE("a compacted change log still yields exactly one up-to-date response", "[xds]") {
  resource_table t{cds, 1};
  t.apply({{"a", "1", {}}}, {}, 1);
  sotw_session s{cds};
  take_first(s, t, cds);
  for (uint64_t v = 2; v < 6; ++v)
    touch(t, "b", v);
  REQUIRE(t.changed_since(1).full_resync);
  auto r = s.next_response(t);
  REQUIRE(r);
  CHECK(names_of(*r) == strings{"a@1", "b@5"});
  CHECK(!s.next_response(t));
}
