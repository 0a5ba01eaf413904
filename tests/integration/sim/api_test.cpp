#include <catch2/catch.hpp>

#include <simdjson.h>

#include "sim/json.hpp"
#include "support/sim_fixture.hpp"

using ambient::test::sim_fixture;
using namespace std::chrono_literals;

namespace {

const std::string pod_json = R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"web-0",
  "labels":{"app":"web","tier":"front"}},"spec":{"nodeName":"node-1","containers":[{"name":"c",
  "image":"nginx"}]},"status":{"phase":"Running","podIP":"10.0.0.7"}})";

ambient::sim::json parse(const std::string& text) {
  std::string err;
  auto v = ambient::sim::parse_json(text, &err);
  INFO(err << " in " << text.substr(0, 300));
  REQUIRE(v);
  return std::move(*v);
}

std::string str(const ambient::sim::json& v, std::initializer_list<std::string_view> path) {
  const auto* x = ambient::sim::find_path(v, path);
  return x && x->is_string() ? x->get<std::string>() : std::string{};
}

std::string make_pod(const std::string& name, const std::string& app, const std::string& node) {
  return R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":")" + name + R"(","labels":{"app":")"
         + app + R"("}},"spec":{"nodeName":")" + node
         + R"(","containers":[{"name":"c","image":"nginx"}]}})";
}

} // namespace

TEST_CASE("kube-sim serves create and get and update and patch and delete", "[sim][integration]") {
  sim_fixture fx;
  auto cl = fx.client();
  auto created = cl.request("POST", fx.url("/api/v1/namespaces/default/pods"), pod_json);
  REQUIRE(created.status == 201);
  auto pod = parse(created.body);
  CHECK(str(pod, {"metadata", "namespace"}) == "default");
  CHECK(!str(pod, {"metadata", "uid"}).empty());
  auto rv = str(pod, {"metadata", "resourceVersion"});
  CHECK(!rv.empty());

  SECTION("get returns the stored object") {
    auto got = cl.request("GET", fx.url("/api/v1/namespaces/default/pods/web-0"));
    REQUIRE(got.status == 200);
    CHECK(str(parse(got.body), {"metadata", "resourceVersion"}) == rv);
  }
  SECTION("creating it again is AlreadyExists") {
    auto again = cl.request("POST", fx.url("/api/v1/namespaces/default/pods"), pod_json);
    CHECK(again.status == 409);
    CHECK(str(parse(again.body), {"reason"}) == "AlreadyExists");
  }
  SECTION("an update with a stale resourceVersion is a Conflict; a current one succeeds") {
    auto body = parse(created.body);
    body["metadata"]["resourceVersion"] = "1";
    auto stale = cl.request("PUT", fx.url("/api/v1/namespaces/default/pods/web-0"), body.dump());
    CHECK(stale.status == 409);
    auto st = parse(stale.body);
    CHECK(str(st, {"kind"}) == "Status");
    CHECK(str(st, {"reason"}) == "Conflict");
    body["metadata"]["resourceVersion"] = rv;
    // Unchanged: a no-op, as on the API server (no new version, no watch event).
    auto same = cl.request("PUT", fx.url("/api/v1/namespaces/default/pods/web-0"), body.dump());
    CHECK(same.status == 200);
    CHECK(str(parse(same.body), {"metadata", "resourceVersion"}) == rv);
    body["metadata"]["labels"]["tier"] = "changed";
    auto ok = cl.request("PUT", fx.url("/api/v1/namespaces/default/pods/web-0"), body.dump());
    CHECK(ok.status == 200);
    CHECK(str(parse(ok.body), {"metadata", "resourceVersion"}) != rv);
  }
  SECTION("merge and strategic patches change labels") {
    auto p = cl.request("PATCH", fx.url("/api/v1/namespaces/default/pods/web-0"),
                        R"({"metadata":{"labels":{"tier":null,"env":"prod"}}})",
                        "application/merge-patch+json");
    REQUIRE(p.status == 200);
    auto v = parse(p.body);
    CHECK(str(v, {"metadata", "labels", "env"}) == "prod");
    CHECK(ambient::sim::find_path(v, {"metadata", "labels", "tier"}) == nullptr);
    auto s = cl.request("PATCH", fx.url("/api/v1/namespaces/default/pods/web-0"),
                        R"({"metadata":{"annotations":{"a":"b"}}})",
                        "application/strategic-merge-patch+json");
    REQUIRE(s.status == 200);
    CHECK(str(parse(s.body), {"metadata", "annotations", "a"}) == "b");
    auto bad = cl.request("PATCH", fx.url("/api/v1/namespaces/default/pods/web-0"), "[]",
                          "application/json-patch+json");
    CHECK(bad.status == 415);
  }
  SECTION("delete removes it and a second delete is NotFound") {
    CHECK(cl.request("DELETE", fx.url("/api/v1/namespaces/default/pods/web-0")).status == 200);
    auto gone = cl.request("GET", fx.url("/api/v1/namespaces/default/pods/web-0"));
    CHECK(gone.status == 404);
    CHECK(str(parse(gone.body), {"reason"}) == "NotFound");
    CHECK(cl.request("DELETE", fx.url("/api/v1/namespaces/default/pods/web-0")).status == 404);
  }
}

TEST_CASE("kube-sim refuses bad requests with Status objects", "[sim][integration]") {
  sim_fixture fx;
  auto cl = fx.client();
  auto bad_json = cl.request("POST", fx.url("/api/v1/namespaces/default/pods"), "{not json");
  CHECK(bad_json.status == 400);
  CHECK(str(parse(bad_json.body), {"reason"}) == "BadRequest");
  auto no_ns = cl.request("POST", fx.url("/api/v1/namespaces/nope/pods"), pod_json);
  CHECK(no_ns.status == 404);
  auto unknown = cl.request("GET", fx.url("/api/v1/frobnicators"));
  CHECK(unknown.status == 404);
  auto bad_selector = cl.request("GET", fx.url("/api/v1/pods?labelSelector=a%20in%20(b"));
  CHECK(bad_selector.status == 400);
  auto bad_field = cl.request("GET", fx.url("/api/v1/pods?fieldSelector=spec.foo%3Dx"));
  CHECK(bad_field.status == 400);
}

TEST_CASE("kube-sim requires credentials and honours token revocation", "[sim][integration]") {
  sim_fixture fx;
  auto cl = fx.client();
  auto anonymous = cl;
  anonymous.token.clear();
  auto r = anonymous.request("GET", fx.url("/api/v1/namespaces"));
  CHECK(r.status == 401);
  CHECK(str(parse(r.body), {"reason"}) == "Unauthorized");
  auto wrong = cl;
  wrong.token = "not-a-token";
  CHECK(wrong.request("GET", fx.url("/api/v1/namespaces")).status == 401);
  CHECK(cl.request("GET", fx.url("/api/v1/namespaces")).status == 200);

  fx.cluster().revoke_token();
  CHECK(cl.request("GET", fx.url("/api/v1/namespaces")).status == 401);
  CHECK(fx.client().request("GET", fx.url("/api/v1/namespaces")).status == 200);
  CHECK(fx.cluster().kubeconfig().find(fx.cluster().token()) != std::string::npos);
}

TEST_CASE("kube-sim accepts client certificates from its CA", "[sim][integration]") {
  sim_fixture fx{1, true};
  auto cl = fx.client(0, true);
  CHECK(cl.request("GET", fx.url("/api/v1/namespaces")).status == 200);
  CHECK(fx.cluster().kubeconfig().find("client-certificate-data") != std::string::npos);
  SECTION("after a CA rotation the old CA no longer verifies the server, the new one does") {
    fx.cluster().rotate_ca();
    auto old_ca = cl.request("GET", fx.url("/api/v1/namespaces"));
    CHECK(old_ca.status == 0);
    CHECK(!old_ca.error.empty());
    CHECK(fx.client(0, true).request("GET", fx.url("/api/v1/namespaces")).status == 200);
  }
}

TEST_CASE("kube-sim lists with label and field selectors and pages with continue",
          "[sim][integration]") {
  sim_fixture fx;
  auto cl = fx.client();
  for (int i = 0; i < 25; ++i)
    REQUIRE(cl.request("POST", fx.url("/api/v1/namespaces/default/pods"),
                       make_pod("p" + std::to_string(i), i % 2 ? "odd" : "even",
                                i < 5 ? "node-a" : "node-b"))
                .status
            == 201);
  auto count = [&](const std::string& query) {
    auto r = cl.request("GET", fx.url("/api/v1/pods" + query));
    REQUIRE(r.status == 200);
    return parse(r.body)["items"].size();
  };
  CHECK(count("") == 25);
  CHECK(count("?labelSelector=app%3Dodd") == 12);
  CHECK(count("?labelSelector=app%20in%20(odd,even)") == 25);
  CHECK(count("?labelSelector=app!%3Dodd") == 13);
  CHECK(count("?fieldSelector=spec.nodeName%3Dnode-a") == 5);
  CHECK(count("?fieldSelector=metadata.name%3Dp3") == 1);

  std::vector<std::string> names;
  std::string token;
  int pages = 0;
  do {
    auto r = cl.request("GET", fx.url("/api/v1/namespaces/default/pods?limit=10"
                                      + (token.empty() ? "" : "&continue=" + token)));
    REQUIRE(r.status == 200);
    auto v = parse(r.body);
    for (const auto& item : v["items"])
      names.push_back(str(item, {"metadata", "name"}));
    token = str(v, {"metadata", "continue"});
    ++pages;
  } while (!token.empty());
  CHECK(pages == 3);
  CHECK(names.size() == 25);
  std::sort(names.begin(), names.end());
  CHECK(std::unique(names.begin(), names.end()) == names.end());

  SECTION("a continue token older than the history is 410 Expired") {
    auto r = cl.request("GET", fx.url("/api/v1/namespaces/default/pods?limit=10"));
    auto tok = str(parse(r.body), {"metadata", "continue"});
    fx.cluster().compact();
    cl.request("POST", fx.url("/api/v1/namespaces/default/pods"), make_pod("late", "x", "n"));
    fx.cluster().compact();
    auto expired
        = cl.request("GET", fx.url("/api/v1/namespaces/default/pods?limit=10&continue=" + tok));
    CHECK(expired.status == 410);
  }
}
