#include <catch2/catch.hpp>

#include <string>
#include <variant>

#include <yaml-cpp/yaml.h>

#include "cmd/ambientctl/remote_secret.hpp"
#include "cmd/ambientctl/tables.hpp"
#include "kube/kubeconfig.hpp"

using namespace ambient::cmd;
using Catch::Matchers::Contains;

namespace {

const std::string clusterz = R"([
  {"id":"cluster-2","secretName":"istio-system/istio-remote-secret-cluster-2",
   "syncStatus":"timeout","state":"timeout","lastError":"list pods:\nconnection refused",
   "restarts":2,"generation":3,"since":"2026-11-27T08:00:00Z","staleSeconds":155.75,
   "suspended":true,"informers":[]},
  {"id":"config","secretName":"","syncStatus":"synced","lastError":"","staleSeconds":null,
   "suspended":false},
  {"id":"c3","secretName":"istio-system/s3","syncStatus":"syncing","lastError":null}
])";

const std::string workloads = R"([
  {"uid":"c2//Pod/bookinfo/reviews-v1-0","name":"reviews-v1-0","namespace":"bookinfo",
   "cluster":"c2","addresses":["10.2.0.5","fd00::5"],"network":"network-2","node":"node-1",
   "protocol":"HBONE","status":"Healthy","services":[],
   "waypoint":{"namespace":"bookinfo","hostname":"waypoint.bookinfo.svc","hboneMtlsPort":15008}},
  {"name":"ratings-0","namespace":"bookinfo","cluster":"c1","addresses":["10.1.0.7"],
   "network":"network-1","node":"node-9","protocol":"TCP",
   "waypoint":{"network":"network-1","address":"10.1.0.99","hboneMtlsPort":15008}},
  {"name":"reviews-v1-0","namespace":"bookinfo","cluster":"c1","addresses":[],"protocol":"TCP",
   "applicationTunnel":{"protocol":"PROXY","port":15088}},
  {"name":"sleep","namespace":"apps","cluster":"c2","addresses":["10.2.0.9"],"network":"",
   "node":"node-2","protocol":"HBONE"}
])";

/// A kubeconfig with two contexts; `user` is the current user's entry body (indented 4).
std::string kubeconfig(const std::string& user = "    token: secret-token-123\n",
                       const std::string& current = "current-context: east\n") {
  return "apiVersion: v1\nkind: Config\n" + current
         + "clusters:\n"
           "- name: east-cluster\n"
           "  cluster:\n"
           "    server: https://10.0.0.2:6443\n"
           "    certificate-authority-data: dGVzdCBjYQ==\n"
           "- name: west-cluster\n"
           "  cluster: {server: 'https://10.0.0.3:6443', insecure-skip-tls-verify: true}\n"
           "contexts:\n"
           "- name: east\n"
           "  context: {cluster: east-cluster, user: east-admin, namespace: kube-system}\n"
           "- name: west\n"
           "  context: {cluster: west-cluster, user: west-admin}\n"
           "users:\n"
           "- name: east-admin\n"
           "  user:\n"
         + user
         + "- name: west-admin\n"
           "  user:\n"
           "    client-certificate-data: Y2VydA==\n"
           "    client-key-data: a2V5\n";
}

/// Makes a secret that must be refused; returns the message, checked to hold no token.
std::string refusal(const std::string& text, const std::string& name = "east") {
  auto r = make_remote_secret(text, name, "istio-system");
  REQUIRE_FALSE(r.ok());
  CHECK(r.yaml.empty());
  CHECK_THAT(r.error, !Contains("secret-token-123"));
  return r.error;
}

} // namespace

TEST_CASE("remote-clusters prints istioctl's columns aligned, in the body's order", "[cmd]") {
  auto t = remote_clusters_table(clusterz);
  REQUIRE(t.ok());
  CHECK(t.text
        == "NAME       SECRET                                      STATUS   STALE            LAST "
           "ERROR\n"
           "cluster-2  istio-system/istio-remote-secret-cluster-2  timeout  2m35s suspended  list "
           "pods: connection refused\n"
           "config     -                                           synced   -                -\n"
           "c3         istio-system/s3                             syncing  -                -\n");
}

TEST_CASE("remote-clusters of an empty list prints only the header", "[cmd]") {
  CHECK(remote_clusters_table("[]").text == "NAME  SECRET  STATUS  STALE  LAST ERROR\n");
}

TEST_CASE("remote-clusters names what is wrong with a malformed body", "[cmd]") {
  auto error = [](const std::string& json) {
    auto t = remote_clusters_table(json);
    CHECK(t.text.empty());
    return t.error;
  };
  CHECK_THAT(error("[{"), Contains("not valid JSON"));
  CHECK(error(R"({"id":"c1"})") == "body is not a JSON array");
  CHECK(error(R"([{"id":"c1","syncStatus":"synced"}, 7])") == "element 1 is not a JSON object");
  CHECK(error(R"([{"secretName":"s","syncStatus":"synced"}])") == "element 0: \"id\" is missing");
  CHECK(error(R"([{"id":"c1","syncStatus":"synced"},{"id":"c2"}])")
        == "element 1: \"syncStatus\" is missing");
  CHECK(error(R"([{"id":5,"syncStatus":"synced"}])") == "element 0: \"id\" must be a string");
  CHECK(error(R"([{"id":"c1","syncStatus":"synced","staleSeconds":"long"}])")
        == "element 0: \"staleSeconds\" must be a number");
  CHECK(error(R"([{"id":"c1","syncStatus":"synced","suspended":1}])")
        == "element 0: \"suspended\" must be true or false");
  CHECK(error(R"([{"id":"c1","syncStatus":"synced","lastError":{}}])")
        == "element 0: \"lastError\" must be a string");
}

TEST_CASE("workloads are sorted by namespace, name and cluster with - for empty cells", "[cmd]") {
  auto t = workloads_table(workloads, {});
  REQUIRE(t.ok());
  CHECK(t.text
        == "NAMESPACE  NAME          CLUSTER  ADDRESS           NODE    NETWORK    PROTOCOL  "
           "WAYPOINT\n"
           "apps       sleep         c2       10.2.0.9          node-2  -          HBONE     -\n"
           "bookinfo   ratings-0     c1       10.1.0.7          node-9  network-1  TCP       "
           "10.1.0.99\n"
           "bookinfo   reviews-v1-0  c1       -                 -       -          TCP       "
           "instance\n"
           "bookinfo   reviews-v1-0  c2       10.2.0.5,fd00::5  node-1  network-2  HBONE     "
           "bookinfo/waypoint.bookinfo.svc\n");
}

TEST_CASE("workloads are filtered by namespace and by cluster", "[cmd]") {
  auto by_ns = workloads_table(workloads, {"apps", ""});
  REQUIRE(by_ns.ok());
  CHECK(by_ns.text
        == "NAMESPACE  NAME   CLUSTER  ADDRESS   NODE    NETWORK  PROTOCOL  WAYPOINT\n"
           "apps       sleep  c2       10.2.0.9  node-2  -        HBONE     -\n");
  auto both = workloads_table(workloads, {"bookinfo", "c1"});
  REQUIRE(both.ok());
  CHECK_THAT(both.text, Contains("ratings-0") && !Contains("c2") && !Contains("sleep"));
  auto none = workloads_table(workloads, {"nope", ""});
  CHECK(none.text == "NAMESPACE  NAME  CLUSTER  ADDRESS  NODE  NETWORK  PROTOCOL  WAYPOINT\n");
}

TEST_CASE("workloads names what is wrong with a malformed body", "[cmd]") {
  auto error = [](const std::string& json) {
    return workloads_table(json, {}).error;
  };
  CHECK(error("\"x\"") == "body is not a JSON array");
  CHECK(error(R"([["a"]])") == "element 0 is not a JSON object");
  CHECK(error(R"([{"namespace":"a","cluster":"c"}])") == "element 0: \"name\" is missing");
  CHECK(error(R"([{"name":"n","namespace":"a","cluster":"c","addresses":"10.0.0.1"}])")
        == "element 0: \"addresses\" must be an array of strings");
  CHECK(error(R"([{"name":"n","namespace":"a","cluster":"c","addresses":[1]}])")
        == "element 0: \"addresses\" must be an array of strings");
  CHECK(error(R"([{"name":"n","namespace":"a","cluster":"c","node":true}])")
        == "element 0: \"node\" must be a string");
  CHECK(error(R"([{"name":"n","namespace":"a","cluster":"c","waypoint":"wp"}])")
        == "element 0: \"waypoint\" must be an object");
  CHECK(error(R"([{"name":"n","namespace":"a","cluster":"c","waypoint":{"hostname":"h"}}])")
        == "element 0: \"waypoint\" must hold a hostname and namespace, or an address");
}

namespace {

const std::string waypoints = R"({"waypoints":[
  {"cluster":"c1","namespace":"bookinfo","name":"waypoint","class":"istio-waypoint",
   "trafficType":"all","address":{"namespace":"bookinfo","hostname":"waypoint.bookinfo.svc",
   "hboneMtlsPort":15008},"allowedRoutes":{"from":"Same"},"serviceAccounts":["waypoint"],
   "services":2,"workloads":3,"instances":1},
  {"cluster":"c2","namespace":"infra","name":"shared","class":"istio-waypoint",
   "trafficType":"service","allowedRoutes":{"from":"All"},"serviceAccounts":[],
   "services":0,"workloads":0,"instances":0}],
 "bindings":[
  {"cluster":"c1","kind":"Service","object":"bookinfo/reviews","waypoint":"bookinfo/waypoint",
   "status":"Bound","address":true,"ingressUseWaypoint":true},
  {"cluster":"c2","kind":"Pod","object":"apps/sleep-0","waypoint":"infra/shared",
   "status":"Bound","address":false},
  {"cluster":"c1","kind":"Pod","object":"apps/web-0","waypoint":"apps/missing",
   "status":"WaypointIsNotReady","address":false}]})";

} // namespace

TEST_CASE("waypoints prints the waypoints then the objects naming one", "[cmd]") {
  auto t = waypoints_table(waypoints, {});
  REQUIRE(t.ok());
  CHECK(
      t.text
      == "CLUSTER  NAMESPACE  NAME      FOR      ADDRESS                         ROUTES  SERVICES  "
         "WORKLOADS\n"
         "c1       bookinfo   waypoint  all      bookinfo/waypoint.bookinfo.svc  Same    2         "
         "3\n"
         "c2       infra      shared    service  none                            All     0         "
         "0\n"
         "\n"
         "CLUSTER  KIND     OBJECT            WAYPOINT           STATUS\n"
         "c1       Service  bookinfo/reviews  bookinfo/waypoint  Bound\n"
         "c2       Pod      apps/sleep-0      infra/shared       Bound (no address yet)\n"
         "c1       Pod      apps/web-0        apps/missing       WaypointIsNotReady\n");
  auto apps = waypoints_table(waypoints, {"apps", "c1"});
  REQUIRE(apps.ok());
  CHECK_THAT(apps.text, Contains("apps/web-0") && !Contains("sleep-0") && !Contains("bookinfo/"));
}

TEST_CASE("waypoints names what is wrong with a malformed body", "[cmd]") {
  auto error = [](const std::string& json) {
    return waypoints_table(json, {}).error;
  };
  CHECK(error("[]") == "body is not a JSON object");
  CHECK(error("{}") == "body has no \"waypoints\"");
  CHECK(error(R"({"waypoints":{}})") == "\"waypoints\" is not a JSON array");
  CHECK(error(R"({"waypoints":[]})") == "body has no \"bindings\"");
  CHECK(error(R"({"waypoints":[{"cluster":"c","name":"n"}],"bindings":[]})")
        == "element 0: \"namespace\" is missing");
  CHECK(error(R"({"waypoints":[{"cluster":"c","namespace":"a","name":"n","allowedRoutes":1}],
                  "bindings":[]})")
        == "element 0: \"allowedRoutes\" must be an object");
  CHECK(error(R"({"waypoints":[],"bindings":[{"cluster":"c","kind":"Pod","object":"a/b",
                  "waypoint":"a/w"}]})")
        == "element 0: \"status\" is missing");
  CHECK(error("{nope").rfind("body is not valid JSON", 0) == 0);
}

namespace {

const std::string policies = R"([
  {"name":"apps/allow-sleep","namespace":"apps","scope":"WORKLOAD_SELECTOR","action":"ALLOW",
   "groups":2,"workloads":["c1//Pod/apps/a","c2//Pod/apps/b"]},
  {"name":"istio-system/istio_converted_static_strict","namespace":"istio-system",
   "scope":"WORKLOAD_SELECTOR","action":"DENY","groups":1,"workloads":["c1//Pod/apps/a"]},
  {"name":"istio-system/mesh-deny","namespace":"istio-system","scope":"GLOBAL",
   "action":"DENY","groups":0,"workloads":[]}
])";

const std::string policy_workloads = R"([
  {"uid":"c1//Pod/apps/a","name":"a","namespace":"apps","cluster":"c1",
   "authorizationPolicies":["istio-system/istio_converted_static_strict","apps/allow-sleep"]},
  {"uid":"c2//Pod/apps/b","name":"b","namespace":"apps","cluster":"c2",
   "authorizationPolicies":["apps/allow-sleep","apps/converted_peer_authentication_p"]},
  {"uid":"c2//Pod/apps/c","name":"c","namespace":"apps","cluster":"c2","authorizationPolicies":[]}
])";

} // namespace

TEST_CASE("policies prints every policy with the number of workloads that list it", "[cmd]") {
  auto t = policies_table(policies, nullptr);
  REQUIRE(t.ok());
  CHECK(t.text
        == "NAME                                        SCOPE              ACTION  WORKLOADS\n"
           "apps/allow-sleep                            WORKLOAD_SELECTOR  ALLOW   2\n"
           "istio-system/istio_converted_static_strict  WORKLOAD_SELECTOR  DENY    1\n"
           "istio-system/mesh-deny                      GLOBAL             DENY    0\n");
  CHECK(policies_table("[]", nullptr).text == "NAME  SCOPE  ACTION  WORKLOADS\n");
}

TEST_CASE("policies of one workload keep its list order and mark names not served", "[cmd]") {
  auto a = workload_policies(policy_workloads, "c1//Pod/apps/a");
  REQUIRE(a.error.empty());
  REQUIRE(a.found);
  auto t = policies_table(policies, &a.policies);
  REQUIRE(t.ok());
  CHECK(t.text
        == "NAME                                        SCOPE              ACTION  WORKLOADS\n"
           "istio-system/istio_converted_static_strict  WORKLOAD_SELECTOR  DENY    1\n"
           "apps/allow-sleep                            WORKLOAD_SELECTOR  ALLOW   2\n");
  auto b = workload_policies(policy_workloads, "c2//Pod/apps/b");
  REQUIRE(b.found);
  CHECK(policies_table(policies, &b.policies).text
        == "NAME                                  SCOPE              ACTION      WORKLOADS\n"
           "apps/allow-sleep                      WORKLOAD_SELECTOR  ALLOW       2\n"
           "apps/converted_peer_authentication_p  -                  not served  -\n");
  auto c = workload_policies(policy_workloads, "c2//Pod/apps/c");
  REQUIRE(c.found);
  CHECK(policies_table(policies, &c.policies).text == "NAME  SCOPE  ACTION  WORKLOADS\n");
}

TEST_CASE("workload_policies tells an unknown workload from a malformed body", "[cmd]") {
  auto unknown = workload_policies(policy_workloads, "c9//Pod/apps/x");
  CHECK(unknown.error.empty());
  CHECK_FALSE(unknown.found);
  CHECK(workload_policies("{", "a").error.starts_with("body is not valid JSON"));
  auto bad = workload_policies(R"([{"uid":"a","authorizationPolicies":"x"}])", "a");
  CHECK(bad.error == "element 0: \"authorizationPolicies\" must be an array of strings");
  CHECK_FALSE(bad.found);
  CHECK(workload_policies(R"([{"name":"a"}])", "a").error == "element 0: \"uid\" is missing");
}

TEST_CASE("policies names what is wrong with a malformed body", "[cmd]") {
  auto error = [](const std::string& json) {
    return policies_table(json, nullptr).error;
  };
  CHECK(error("{}") == "body is not a JSON array");
  CHECK(error(R"([{"scope":"GLOBAL"}])") == "element 0: \"name\" is missing");
  CHECK(error(R"([{"name":"a/b","action":1}])") == "element 0: \"action\" must be a string");
  CHECK(error(R"([{"name":"a/b","workloads":[2]}])")
        == "element 0: \"workloads\" must be an array of strings");
}

TEST_CASE("render_table pads by code points and flattens control characters", "[cmd]") {
  CHECK(render_table({{"A", "B"}, {"ünï", "x\ty"}, {"", "z"}})
        == "A    B\n"
           "ünï  x y\n"
           "-    z\n");
}

TEST_CASE("create-remote-secret prints istioctl's secret with a minified kubeconfig", "[cmd]") {
  auto r = make_remote_secret(kubeconfig(), "cluster-2", "istio-system");
  REQUIRE(r.ok());
  const YAML::Node s = YAML::Load(r.yaml);
  CHECK(s["apiVersion"].as<std::string>() == "v1");
  CHECK(s["kind"].as<std::string>() == "Secret");
  CHECK(s["metadata"]["name"].as<std::string>() == "istio-remote-secret-cluster-2");
  CHECK(s["metadata"]["namespace"].as<std::string>() == "istio-system");
  CHECK(s["metadata"]["labels"]["istio/multiCluster"].as<std::string>() == "true");
  CHECK_THAT(r.yaml, Contains("istio/multiCluster: \"true\""));
  CHECK(s["metadata"]["annotations"]["networking.istio.io/cluster"].as<std::string>()
        == "cluster-2");
  REQUIRE(s["stringData"].size() == 1);
  const auto embedded = s["stringData"]["cluster-2"].as<std::string>();

  auto parsed = ambient::kube::parse_kubeconfig(embedded, "cluster-2", {});
  REQUIRE(std::holds_alternative<ambient::kube::rest_config>(parsed));
  const auto& rc = std::get<ambient::kube::rest_config>(parsed);
  CHECK(rc.server == "https://10.0.0.2:6443");
  CHECK(rc.ca_pem == "test ca");
  CHECK(rc.token == "secret-token-123");
  CHECK(rc.default_namespace == "kube-system");

  const YAML::Node k = YAML::Load(embedded);
  CHECK(k["current-context"].as<std::string>() == "east");
  for (const char* list : {"clusters", "contexts", "users"})
    CHECK(k[list].size() == 1);
  CHECK(k["clusters"][0]["name"].as<std::string>() == "east-cluster");
  CHECK(k["users"][0]["name"].as<std::string>() == "east-admin");
  CHECK_THAT(embedded, !Contains("west"));
}

TEST_CASE("create-remote-secret honours the namespace and quotes names YAML would misread",
          "[cmd]") {
  auto r = make_remote_secret(kubeconfig(), "1234", "007");
  REQUIRE(r.ok());
  CHECK_THAT(r.yaml, Contains("namespace: \"007\"") && Contains("\"1234\": |"));
  const YAML::Node s = YAML::Load(r.yaml);
  CHECK(s["metadata"]["namespace"].as<std::string>() == "007");
  CHECK(s["metadata"]["annotations"]["networking.istio.io/cluster"].Tag() == "!");
  CHECK(s["stringData"]["1234"].IsScalar());
}

TEST_CASE("create-remote-secret refuses kubeconfigs ambientd would refuse", "[cmd]") {
  CHECK_THAT(refusal(kubeconfig("    exec: {command: /bin/sh, apiVersion: x}\n")),
             Contains("users[east-admin].user.exec is not allowed"));
  CHECK_THAT(refusal(kubeconfig("    tokenFile: /var/run/token\n")),
             Contains("users[east-admin].user.tokenFile is not allowed"));
  CHECK_THAT(refusal(kubeconfig("    client-certificate-data: Y2VydA==\n"
                                "    client-key: /etc/key.pem\n")),
             Contains("users[east-admin].user.client-key is not allowed"));
  CHECK_THAT(refusal(kubeconfig("    auth-provider: {name: gcp}\n")),
             Contains("auth-provider gcp is not allowed"));
  CHECK_THAT(refusal(kubeconfig("    token: secret-token-123\n", "")),
             Contains("current-context is missing"));
  CHECK_THAT(refusal(kubeconfig("    token: secret-token-123\n", "current-context: north\n")),
             Contains("current-context names \"north\""));
  CHECK_THAT(refusal("clusters: [unclosed"), Contains("not valid YAML"));
}

TEST_CASE("create-remote-secret refuses an oidc user without an id-token", "[cmd]") {
  CHECK_THAT(refusal(kubeconfig("    auth-provider: {name: oidc}\n")),
             Contains("users[east-admin].user.auth-provider.config.id-token is missing"));
}

TEST_CASE("create-remote-secret refuses names that cannot name a secret", "[cmd]") {
  CHECK_THAT(refusal(kubeconfig(), ""), Contains("cluster name is empty"));
  CHECK_THAT(refusal(kubeconfig(), "Cluster-2"), Contains("lowercase"));
  CHECK_THAT(refusal(kubeconfig(), "cluster_2"), Contains("lowercase"));
  CHECK_THAT(refusal(kubeconfig(), "-c2"), Contains("must start and end"));
  CHECK_THAT(refusal(kubeconfig(), "c2-"), Contains("must start and end"));
  CHECK_THAT(refusal(kubeconfig(), "a..b"), Contains("empty part"));
  CHECK_THAT(refusal(kubeconfig(), std::string(234, 'a')), Contains("too long"));
  CHECK(check_cluster_name(std::string(233, 'a')) == std::nullopt);
  CHECK(check_cluster_name("east.prod-1") == std::nullopt);
  auto bad_ns = make_remote_secret(kubeconfig(), "c2", "Istio_System");
  CHECK_THAT(bad_ns.error, Contains("namespace \"Istio_System\""));
  CHECK(check_namespace("a.b").has_value());
  CHECK(check_namespace(std::string(64, 'a')).has_value());
}
