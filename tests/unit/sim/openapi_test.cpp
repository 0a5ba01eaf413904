#include <catch2/catch.hpp>

#include "sim/api_handler.hpp"
#include "sim/json.hpp"
#include "support/sim_api_call.hpp"

using namespace ambient::sim;
using ambient::test::call;

namespace {

json parsed(const api_response& r) {
  REQUIRE(r.status == 200);
  auto doc = parse_json(r.body, nullptr);
  REQUIRE(doc);
  return *doc;
}

/// A minimal CRD of group security.istio.io (written for these tests).
constexpr const char* policy_crd
    = R"({"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition",)"
      R"("metadata":{"name":"authorizationpolicies.security.istio.io"},)"
      R"("spec":{"group":"security.istio.io","scope":"Namespaced",)"
      R"("names":{"plural":"authorizationpolicies","kind":"AuthorizationPolicy"},)"
      R"("versions":[{"name":"v1","served":true,"storage":true},)"
      R"({"name":"v1beta1","served":true,"storage":false}]}})";

constexpr const char* crds = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions";

/// The URL the root document gives for a group version ("api/v1", "apis/apps/v1").
std::string url_of(store& s, const std::string& key) {
  auto root = parsed(call(s, "GET", "/openapi/v3"));
  const auto* entry = find_path(root, {"paths", key, "serverRelativeURL"});
  return entry != nullptr && entry->is_string() ? entry->get<std::string>() : std::string{};
}

bool has_field_validation(const json& op) {
  const auto* params = find_path(op, {"parameters"});
  if (params == nullptr || !params->is_array())
    return false;
  for (const auto& p : *params)
    if (p.value("name", "") == "fieldValidation" && p.value("in", "") == "query")
      return true;
  return false;
}

} // namespace

TEST_CASE("the openapi v3 root names a document per served group version", "[sim]") {
  store s;
  CHECK(url_of(s, "api/v1").rfind("/openapi/v3/api/v1?hash=", 0) == 0);
  CHECK(url_of(s, "apis/apps/v1").rfind("/openapi/v3/apis/apps/v1?hash=", 0) == 0);
  CHECK(url_of(s, "apis/apiextensions.k8s.io/v1").rfind("/openapi/v3/apis/", 0) == 0);
  CHECK(url_of(s, "apis/security.istio.io/v1").empty());
}

TEST_CASE("a group version document tags each PATCH with its kind and fieldValidation", "[sim]") {
  store s;
  auto core = parsed(call(s, "GET", url_of(s, "api/v1")));
  const auto* pod = find_path(core, {"paths", "/api/v1/namespaces/{namespace}/pods/{name}"});
  REQUIRE(pod != nullptr);
  const auto& patch = (*pod)["patch"];
  CHECK(patch["x-kubernetes-group-version-kind"]
        == json{{"group", ""}, {"version", "v1"}, {"kind", "Pod"}});
  CHECK(patch["x-kubernetes-action"] == "patch");
  CHECK(has_field_validation(patch));
  CHECK(has_field_validation((*pod)["put"]));
  CHECK(patch["requestBody"]["content"].contains("application/strategic-merge-patch+json"));
  CHECK(find_path(core, {"paths", "/api/v1/namespaces/{name}", "patch"}) != nullptr);
  CHECK(find_path(core, {"paths", "/api/v1/namespaces/{namespace}/pods", "post"}) != nullptr);
  CHECK(find_path(core, {"components", "schemas"}) != nullptr);
  auto apps = parsed(call(s, "GET", "/openapi/v3/apis/apps/v1"));
  const auto* gvk
      = find_path(apps, {"paths", "/apis/apps/v1/namespaces/{namespace}/deployments/{name}",
                         "patch", "x-kubernetes-group-version-kind"});
  REQUIRE(gvk != nullptr);
  CHECK((*gvk)["kind"] == "Deployment");
}

TEST_CASE("a CRD adds its served versions to openapi and its removal takes them away", "[sim]") {
  store s;
  auto before = url_of(s, "apis/apiextensions.k8s.io/v1");
  REQUIRE(call(s, "POST", crds, policy_crd).status == 201);
  CHECK(!url_of(s, "apis/security.istio.io/v1").empty());
  CHECK(!url_of(s, "apis/security.istio.io/v1beta1").empty());
  auto doc = parsed(call(s, "GET", "/openapi/v3/apis/security.istio.io/v1beta1"));
  const auto* patch = find_path(
      doc, {"paths",
            "/apis/security.istio.io/v1beta1/namespaces/{namespace}/authorizationpolicies/{name}",
            "patch"});
  REQUIRE(patch != nullptr);
  CHECK((*patch)["x-kubernetes-group-version-kind"]["kind"] == "AuthorizationPolicy");
  CHECK(has_field_validation(*patch));
  CHECK(!(*patch)["requestBody"]["content"].contains("application/strategic-merge-patch+json"));
  REQUIRE(call(s, "DELETE", std::string{crds} + "/authorizationpolicies.security.istio.io").status
          == 200);
  CHECK(url_of(s, "apis/security.istio.io/v1").empty());
  CHECK(call(s, "GET", "/openapi/v3/apis/security.istio.io/v1").status == 404);
  CHECK(url_of(s, "apis/apiextensions.k8s.io/v1") == before);
}

TEST_CASE("openapi paths that name no served group version are 404", "[sim]") {
  store s;
  CHECK(call(s, "GET", "/openapi/v3/apis/nope.io/v1").status == 404);
  CHECK(call(s, "GET", "/openapi/v3/apis/apps").status == 404);
  CHECK(call(s, "GET", "/openapi/v3/apis").status == 404);
  CHECK(call(s, "GET", "/openapi/v3/api").status == 404);
  CHECK(call(s, "GET", "/openapi/v3/api/v2").status == 404);
  CHECK(call(s, "GET", "/openapi/v3/api/v1/pods").status == 404);
  CHECK(call(s, "GET", "/openapi/v3/apis/apps/v1/deployments").status == 404);
  CHECK(call(s, "GET", "/openapi/v2").status == 404);
  CHECK(call(s, "GET", "/openapi").status == 404);
  CHECK(call(s, "POST", "/openapi/v3", "{}").status == 404);
}

TEST_CASE("writes accept every fieldValidation directive and refuse any other", "[sim]") {
  store s;
  const std::string ns = R"({"apiVersion":"v1","kind":"Namespace","metadata":{"name":"a"}})";
  CHECK(call(s, "POST", "/api/v1/namespaces?fieldValidation=Strict", ns).status == 201);
  CHECK(call(s, "PUT", "/api/v1/namespaces/a?fieldValidation=Warn", ns).status == 200);
  CHECK(call(s, "PATCH", "/api/v1/namespaces/a?fieldValidation=Ignore",
             R"({"metadata":{"labels":{"x":"y"}}})", "application/merge-patch+json")
            .status
        == 200);
  CHECK(call(s, "PUT", "/api/v1/namespaces/a?fieldValidation=", ns).status == 200);
  auto rv = s.resource_version();
  auto bad_create = call(s, "POST", "/api/v1/namespaces?fieldValidation=strict",
                         R"({"metadata":{"name":"b"}})");
  CHECK(bad_create.status == 422);
  CHECK(bad_create.body.find(R"(CreateOptions.meta.k8s.io \"\" is invalid)") != std::string::npos);
  CHECK(bad_create.body.find(R"(Unsupported value: \"strict\")") != std::string::npos);
  auto bad_update = call(s, "PUT", "/api/v1/namespaces/a?fieldValidation=None", ns);
  CHECK(bad_update.status == 422);
  CHECK(bad_update.body.find("UpdateOptions") != std::string::npos);
  auto bad_patch = call(s, "PATCH", "/api/v1/namespaces/a?fieldValidation=Strict%20",
                        R"({"metadata":{"labels":{"x":"z"}}})", "application/merge-patch+json");
  CHECK(bad_patch.status == 422);
  CHECK(bad_patch.body.find("PatchOptions") != std::string::npos);
  CHECK(s.resource_version() == rv);
}
