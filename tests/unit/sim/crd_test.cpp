#include <catch2/catch.hpp>

#include "sim/api_handler.hpp"
#include "support/sim_api_call.hpp"

using namespace ambient::sim;
using ambient::test::call;

namespace {

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

/// A minimal CRD of group security.istio.io (written for these tests).
std::string crd_json(const std::string& plural, const std::string& kind,
                     const std::string& versions
                     = R"([{"name":"v1","served":true,"storage":true}])") {
  return R"({"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition",)"
         R"("metadata":{"name":")"
         + plural
         + R"(.security.istio.io"},"spec":{"group":"security.istio.io",)"
           R"("scope":"Namespaced","names":{"plural":")"
         + plural + R"(","kind":")" + kind + R"("},"versions":)" + versions + "}}";
}

constexpr const char* crds = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions";
constexpr const char* policies
    = "/apis/security.istio.io/v1/namespaces/default/authorizationpolicies";

constexpr const char* deny_policy
    = R"({"apiVersion":"security.istio.io/v1","kind":"AuthorizationPolicy",)"
      R"("metadata":{"name":"deny-get","labels":{"app":"web"}},"spec":{"action":"DENY",)"
      R"("selector":{"matchLabels":{"app":"web"}},"rules":[{"to":[{"operation":{"methods":["GET"]}}]}]}})";

struct collect : watch_sink {
  std::vector<std::string> seen;
  void on_event(const watch_event& e) override {
    seen.push_back(std::string{to_string(e.type)} + " " + e.object->name);
  }
};

void add_default_namespace(store& s) {
  s.create(*find_resource("", "v1", "namespaces"), "",
           *parse_json(R"({"metadata":{"name":"default"}})", nullptr));
}

} // namespace

TEST_CASE("a created CRD is established and its resource is served", "[sim]") {
  store s;
  add_default_namespace(s);
  CHECK(call(s, "GET", policies).status == 404);
  auto made = call(s, "POST", crds, crd_json("authorizationpolicies", "AuthorizationPolicy"));
  REQUIRE(made.status == 201);
  CHECK(has(made.body, R"("type":"Established","status":"True")"));
  CHECK(has(made.body, R"("type":"NamesAccepted","status":"True")"));
  CHECK(has(made.body, R"("singular":"authorizationpolicy")"));
  CHECK(has(made.body, R"("listKind":"AuthorizationPolicyList")"));
  CHECK(has(made.body, R"("uid":")"));

  store other; // another cluster: its own CRDs
  add_default_namespace(other);
  CHECK(call(other, "GET", policies).status == 404);

  auto created = call(s, "POST", policies, deny_policy);
  REQUIRE(created.status == 201);
  CHECK(has(created.body, R"("namespace":"default")"));
  CHECK(has(created.body, R"("generation":1)"));
  CHECK(has(created.body, R"("creationTimestamp":")"));
  CHECK(call(s, "GET", std::string{policies} + "/deny-get").status == 200);
  auto list = call(s, "GET", "/apis/security.istio.io/v1/authorizationpolicies");
  CHECK(has(list.body, R"("kind":"AuthorizationPolicyList")"));
  CHECK(has(list.body, R"("action":"DENY")"));
  CHECK(has(call(s, "GET", std::string{policies} + "?fieldSelector=metadata.name%3Ddeny-get").body,
            "deny-get"));
  CHECK(!has(call(s, "GET", std::string{policies} + "?fieldSelector=metadata.name%3Dother").body,
             "deny-get"));
  CHECK(call(s, "PATCH", std::string{policies} + "/deny-get", R"({"spec":{"action":"ALLOW"}})",
             "application/merge-patch+json")
            .status
        == 200);
  CHECK(has(call(s, "GET", std::string{policies} + "/deny-get").body, R"("generation":2)"));
  CHECK(call(s, "DELETE", std::string{policies} + "/deny-get").status == 200);
  CHECK(call(s, "GET", std::string{policies} + "/deny-get").status == 404);
}

TEST_CASE("deleting a CRD deletes its objects and a watcher sees them go", "[sim]") {
  store s;
  add_default_namespace(s);
  REQUIRE(call(s, "POST", crds, crd_json("authorizationpolicies", "AuthorizationPolicy")).status
          == 201);
  REQUIRE(call(s, "POST", policies, deny_policy).status == 201);
  auto out = handle_api_request(s, {"GET", std::string{policies} + "?watch=true", "", ""}, "x");
  REQUIRE(std::holds_alternative<watch_request>(out));
  const auto& w = std::get<watch_request>(out);
  auto sink = std::make_shared<collect>();
  auto started = s.watch(*w.resource, w.filter, "", sink);
  REQUIRE(started.backlog.size() == 1);
  CHECK(call(s, "DELETE", std::string{crds} + "/authorizationpolicies.security.istio.io").status
        == 200);
  CHECK(sink->seen == std::vector<std::string>{"DELETED deny-get"});
  CHECK(call(s, "GET", policies).status == 404);
  CHECK(call(s, "POST", policies, deny_policy).status == 404);

  // Made again, the CRD serves an empty collection.
  REQUIRE(call(s, "POST", crds, crd_json("authorizationpolicies", "AuthorizationPolicy")).status
          == 201);
  CHECK(!has(call(s, "GET", policies).body, "deny-get"));
}

TEST_CASE("discovery lists the resources of a CRD only while it exists", "[sim]") {
  store s;
  CHECK(!has(call(s, "GET", "/apis").body, "security.istio.io"));
  CHECK(call(s, "GET", "/apis/security.istio.io").status == 404);
  CHECK(call(s, "GET", "/apis/security.istio.io/v1").status == 404);
  REQUIRE(call(s, "POST", crds, crd_json("authorizationpolicies", "AuthorizationPolicy")).status
          == 201);
  REQUIRE(call(s, "POST", crds, crd_json("peerauthentications", "PeerAuthentication")).status
          == 201);
  CHECK(has(call(s, "GET", "/apis").body, R"("groupVersion":"security.istio.io/v1")"));
  CHECK(has(call(s, "GET", "/apis/security.istio.io").body, R"("kind":"APIGroup")"));
  auto resources = call(s, "GET", "/apis/security.istio.io/v1").body;
  CHECK(has(resources, R"("name":"authorizationpolicies","singularName":"authorizationpolicy",)"
                       R"("namespaced":true,"kind":"AuthorizationPolicy")"));
  CHECK(has(resources, R"("kind":"PeerAuthentication")"));
  CHECK(has(call(s, "GET", "/apis/apiextensions.k8s.io/v1").body, "customresourcedefinitions"));
  REQUIRE(call(s, "DELETE", std::string{crds} + "/authorizationpolicies.security.istio.io").status
          == 200);
  resources = call(s, "GET", "/apis/security.istio.io/v1").body;
  CHECK(!has(resources, "AuthorizationPolicy"));
  CHECK(has(resources, "PeerAuthentication"));
  REQUIRE(call(s, "DELETE", std::string{crds} + "/peerauthentications.security.istio.io").status
          == 200);
  CHECK(!has(call(s, "GET", "/apis").body, "security.istio.io"));
}

TEST_CASE("updating a CRD changes the versions it serves", "[sim]") {
  store s;
  add_default_namespace(s);
  REQUIRE(call(s, "POST", crds, crd_json("authorizationpolicies", "AuthorizationPolicy")).status
          == 201);
  CHECK(call(s, "GET", "/apis/security.istio.io/v1beta1/authorizationpolicies").status == 404);
  auto two = crd_json("authorizationpolicies", "AuthorizationPolicy",
                      R"([{"name":"v1","served":true,"storage":true},)"
                      R"({"name":"v1beta1","served":true,"storage":false}])");
  REQUIRE(call(s, "PUT", std::string{crds} + "/authorizationpolicies.security.istio.io", two).status
          == 200);
  CHECK(call(s, "GET", "/apis/security.istio.io/v1beta1/authorizationpolicies").status == 200);
  CHECK(call(s, "GET", "/apis/security.istio.io/v1/authorizationpolicies").status == 200);
}

TEST_CASE("a CRD whose names clash or whose name is wrong is refused", "[sim]") {
  store s;
  auto pods = R"({"metadata":{"name":"gateways.gateway.networking.k8s.io"},"spec":{)"
              R"("group":"gateway.networking.k8s.io","scope":"Namespaced","names":{)"
              R"("plural":"gateways","kind":"Gateway"},"versions":[{"name":"v9","served":true}]}})";
  auto clash = call(s, "POST", crds, pods);
  CHECK(clash.status == 409);
  CHECK(has(clash.body, "builtin resource gateways"));
  REQUIRE(call(s, "POST", crds, crd_json("authorizationpolicies", "AuthorizationPolicy")).status
          == 201);
  auto same_kind = call(s, "POST", crds, crd_json("policies", "AuthorizationPolicy"));
  CHECK(same_kind.status == 409);
  CHECK(has(same_kind.body, "authorizationpolicies.security.istio.io"));
  auto misnamed = crd_json("peerauthentications", "PeerAuthentication");
  misnamed.replace(misnamed.find("peerauthentications.security"), 19, "wrong");
  auto invalid = call(s, "POST", crds, misnamed);
  CHECK(invalid.status == 422);
  CHECK(has(invalid.body, "metadata.name"));
}

TEST_CASE(
    "a watch goes on after an update re-registers its type and a namespace takes its policies",
    "[sim]") {
  store s;
  add_default_namespace(s);
  REQUIRE(call(s, "POST", crds, crd_json("authorizationpolicies", "AuthorizationPolicy")).status
          == 201);
  auto out = handle_api_request(s, {"GET", std::string{policies} + "?watch=true", "", ""}, "x");
  REQUIRE(std::holds_alternative<watch_request>(out));
  const auto& w = std::get<watch_request>(out);
  auto sink = std::make_shared<collect>();
  REQUIRE(!s.watch(*w.resource, w.filter, "", sink).error);
  auto with_short_name = crd_json("authorizationpolicies", "AuthorizationPolicy");
  with_short_name.replace(with_short_name.find(R"("kind":"AuthorizationPolicy")"), 0,
                          R"("shortNames":["ap"],)");
  REQUIRE(call(s, "PUT", std::string{crds} + "/authorizationpolicies.security.istio.io",
               with_short_name)
              .status
          == 200);
  CHECK(has(call(s, "GET", "/apis/security.istio.io/v1").body, R"("shortNames":["ap"])"));
  REQUIRE(call(s, "POST", policies, deny_policy).status == 201);
  auto cluster_scoped = with_short_name;
  cluster_scoped.replace(cluster_scoped.find("Namespaced"), 10, "Cluster");
  auto refused = call(s, "PUT", std::string{crds} + "/authorizationpolicies.security.istio.io",
                      cluster_scoped);
  CHECK(refused.status == 422);
  CHECK(has(refused.body, "field is immutable"));
  REQUIRE(call(s, "DELETE", "/api/v1/namespaces/default").status == 200);
  CHECK(sink->seen == std::vector<std::string>{"ADDED deny-get", "DELETED deny-get"});
}
