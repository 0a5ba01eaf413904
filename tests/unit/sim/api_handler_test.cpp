#include <catch2/catch.hpp>

#include "sim/api_handler.hpp"
#include "support/sim_api_call.hpp"

using namespace ambient::sim;
using ambient::test::call;

namespace {

void add_default_namespace(store& s) {
  s.create(*find_resource("", "v1", "namespaces"), "",
           *parse_json(R"({"metadata":{"name":"default"}})", nullptr));
}

} // namespace

TEST_CASE("discovery lists groups, versions and resources with verbs", "[sim]") {
  store s;
  CHECK(call(s, "GET", "/version").body.find("\"gitVersion\"") != std::string::npos);
  CHECK(call(s, "GET", "/api").body.find("\"serverAddress\":\"127.0.0.1:6443\"")
        != std::string::npos);
  auto groups = call(s, "GET", "/apis").body;
  CHECK(groups.find("\"name\":\"coordination.k8s.io\"") != std::string::npos);
  CHECK(groups.find("\"groupVersion\":\"autoscaling/v2\"") != std::string::npos);
  auto core = call(s, "GET", "/api/v1").body;
  CHECK(core.find(R"("name":"pods","singularName":"pod","namespaced":true,"kind":"Pod")")
        != std::string::npos);
  CHECK(core.find(R"("shortNames":["svc"])") != std::string::npos);
  CHECK(call(s, "GET", "/apis/apps/v1").body.find("\"Deployment\"") != std::string::npos);
  CHECK(call(s, "GET", "/apis/apps").body.find("\"kind\":\"APIGroup\"") != std::string::npos);
  CHECK(call(s, "GET", "/apis/nope.io/v1").status == 404);
  CHECK(call(s, "GET", "/apis/apps/v9").status == 404);
  CHECK(call(s, "GET", "/openapi/v2").status == 404);
}

TEST_CASE("a list request with a watch flag becomes a watch request", "[sim]") {
  store s;
  auto out = handle_api_request(
      s,
      {"GET",
       "/api/v1/namespaces/default/pods?watch=true&resourceVersion=42&allowWatchBookmarks=true&"
       "timeoutSeconds=300&labelSelector=app%3Dweb",
       "", ""},
      "x");
  REQUIRE(std::holds_alternative<watch_request>(out));
  const auto& w = std::get<watch_request>(out);
  CHECK(w.resource->kind == "Pod");
  CHECK(w.resource_version == "42");
  CHECK(w.allow_bookmarks);
  CHECK(w.timeout == std::chrono::seconds{300});
  CHECK(w.filter.namespace_ == "default");
  CHECK(!w.filter.labels.empty());
}

TEST_CASE("malformed requests get 4xx Status responses and leave the store untouched", "[sim]") {
  store s;
  add_default_namespace(s);
  auto rv = s.resource_version();
  CHECK(call(s, "GET", "/api/v1/pods?limit=ten").status == 400);
  CHECK(call(s, "GET", "/api/v1/pods?watch=1&timeoutSeconds=-3").status == 400);
  CHECK(call(s, "GET", "/api/v1/pods?continue=%%%").status == 400);
  CHECK(call(s, "GET", "/api/v1/pods?continue=bm90LWEtdG9rZW4=").status == 400);
  CHECK(call(s, "GET", "/api/v1/na%zzmespaces").status == 400);
  CHECK(call(s, "GET", "/api/v1/namespaces/default/nodes").status == 404);
  CHECK(call(s, "PUT", "/api/v1/namespaces/default/pods", "{}").status == 405);
  CHECK(call(s, "POST", "/api/v1/namespaces/default/pods", "[1,2]").status == 400);
  CHECK(call(s, "POST", "/api/v1/namespaces/default/pods", R"({"metadata":{}})").status == 422);
  CHECK(call(s, "POST", "/api/v1/namespaces/default/pods",
             R"({"kind":"Service","metadata":{"name":"x"}})")
            .status
        == 400);
  CHECK(call(s, "POST", "/api/v1/namespaces/default/pods",
             R"({"metadata":{"name":"x","namespace":"other"}})")
            .status
        == 400);
  CHECK(
      call(s, "POST", "/api/v1/namespaces/default/pods", "x", "application/vnd.kubernetes.protobuf")
          .status
      == 415);
  auto status = call(s, "GET", "/api/v1/namespaces/default/pods/ghost");
  CHECK(status.status == 404);
  CHECK(status.body.find(R"("details":{"name":"ghost","kind":"pods"})") != std::string::npos);
  CHECK(s.resource_version() == rv);
}

TEST_CASE("a rejected patch changes nothing and says why", "[sim]") {
  store s;
  add_default_namespace(s);
  const std::string pod = "/api/v1/namespaces/default/pods/p";
  CHECK(call(s, "POST", "/api/v1/namespaces/default/pods",
             R"({"metadata":{"name":"p","labels":{"a":"1"}},"spec":{"containers":[{"name":"c"}]}})")
            .status
        == 201);
  auto before = call(s, "GET", pod).body;
  auto rv = s.resource_version();
  const std::string strategic = "application/strategic-merge-patch+json";
  auto unknown = call(s, "PATCH", pod, R"({"metadata":{"labels":{"b":"2"}},"spec":{"$patch":"x"}})",
                      strategic);
  CHECK(unknown.status == 400);
  CHECK(unknown.body.find(R"(unknown patch type: \"x\")") != std::string::npos);
  auto not_a_list = call(s, "PATCH", pod,
                         R"({"metadata":{"$deleteFromPrimitiveList/finalizers":"a"}})", strategic);
  CHECK(not_a_list.status == 400);
  CHECK(not_a_list.body.find("must be a list") != std::string::npos);
  auto bad_json = call(s, "PATCH", pod, R"({"metadata":)", "application/merge-patch+json");
  CHECK(bad_json.status == 400);
  CHECK(bad_json.body.find("not valid JSON: invalid JSON: parse error at line 1, column 13")
        != std::string::npos);
  CHECK(call(s, "PATCH", pod, "[1]", "application/merge-patch+json").status == 400);
  CHECK(call(s, "PATCH", pod, R"({"metadata":{"name":"q"}})", "application/merge-patch+json").status
        == 422);
  CHECK(call(s, "PATCH", pod, R"([{"op":"add","path":"/x","value":1}])",
             "application/json-patch+json")
            .status
        == 415);
  CHECK(s.resource_version() == rv);
  CHECK(call(s, "GET", pod).body == before);
}

TEST_CASE("a name that is not UTF-8 still gets a JSON Status", "[sim]") {
  store s;
  add_default_namespace(s);
  auto r = call(s, "GET", "/api/v1/namespaces/default/pods/a%ffb");
  CHECK(r.status == 404);
  CHECK(r.body.find("\"name\":\"a\xef\xbf\xbd"
                    "b\"")
        != std::string::npos);
  CHECK(parse_json(r.body, nullptr).has_value());
}

TEST_CASE("query strings are percent-decoded and malformed escapes are rejected", "[sim]") {
  auto parsed = parse_query("labelSelector=app%20in%20(a%2Cb)&x=1+2&flag&=dropped");
  REQUIRE(parsed);
  auto& q = *parsed;
  CHECK(q.at("labelSelector") == "app in (a,b)");
  CHECK(q.at("x") == "1 2");
  CHECK(q.at("flag").empty());
  CHECK(!q.contains(""));
  CHECK(!parse_query("a=%zz"));
  CHECK(!percent_decode("%4", false));
  CHECK(!percent_decode("%g1", false));
  CHECK(percent_decode("a+b", false) == "a+b");
}

TEST_CASE("a list at a resource version is refused when the store cannot serve that version",
          "[sim]") {
  store s;
  add_default_namespace(s);
  const auto& pods = *find_resource("", "v1", "pods");
  for (const char* name : {"a", "b", "c"})
    REQUIRE(!s.create(pods, "default",
                      *parse_json(std::string{R"({"metadata":{"name":")"} + name + "\"}}", nullptr))
                 .error);
  const auto now = s.resource_version();
  const auto at = [&](uint64_t rv, const char* extra = "") {
    return call(s, "GET", "/api/v1/pods?resourceVersion=" + std::to_string(rv) + extra);
  };
  // Any version up to the store's is served (kube-sim's newest state is never older).
  CHECK(call(s, "GET", "/api/v1/pods?resourceVersion=0").status == 200);
  CHECK(call(s, "GET", "/api/v1/pods?resourceVersion=").status == 200);
  CHECK(at(now).status == 200);
  CHECK(at(1, "&limit=2").status == 200);
  // A version the store has not reached: 504 with the cause clients look for.
  auto ahead = at(now + 5);
  CHECK(ahead.status == 504);
  CHECK(ahead.body.find(R"("reason":"Timeout")") != std::string::npos);
  CHECK(ahead.body.find(R"("causes":[{"reason":"ResourceVersionTooLarge")") != std::string::npos);
  CHECK(ahead.body.find("Too large resource version: " + std::to_string(now + 5)
                        + ", current: " + std::to_string(now))
        != std::string::npos);
  CHECK(at(now + 5, "&limit=2").status == 504);
  // Not a number.
  CHECK(call(s, "GET", "/api/v1/pods?resourceVersion=abc").status == 400);
  // After a compaction a paged list (read at exactly that version) of an older version is
  // expired; an unpaged one (any state at least that new) is still served.
  s.compact();
  auto expired = at(1, "&limit=2");
  CHECK(expired.status == 410);
  CHECK(expired.body.find(R"("reason":"Expired")") != std::string::npos);
  CHECK(at(1).status == 200);
  CHECK(at(now, "&limit=2").status == 200);
  // A continued page carries its own version: a resourceVersion next to it is refused, as the real
  // server refuses it; "" and "0" are no version.
  auto first = at(now, "&limit=2");
  auto token_at = first.body.find(R"("continue":")");
  REQUIRE(token_at != std::string::npos);
  auto token
      = first.body.substr(token_at + 12, first.body.find('"', token_at + 12) - token_at - 12);
  std::string escaped;
  for (char c : token)
    escaped += c == '+' ? "%2B" : c == '/' ? "%2F" : c == '=' ? "%3D" : std::string(1, c);
  auto both = call(s, "GET",
                   "/api/v1/pods?limit=2&resourceVersion=" + std::to_string(now)
                       + "&continue=" + escaped);
  CHECK(both.status == 400);
  CHECK(both.body.find("specifying resource version is not allowed when using continue")
        != std::string::npos);
  for (const char* none : {"", "&resourceVersion=", "&resourceVersion=0"}) {
    auto next = call(s, "GET", "/api/v1/pods?limit=2&continue=" + escaped + none);
    CHECK(next.status == 200);
    CHECK(next.body.find(R"("name":"c")") != std::string::npos);
  }
}
