#include <catch2/catch.hpp>

#include "mesh/mesh_index.hpp"
#include "support/mesh_builders.hpp"
#include "support/mesh_index_helpers.hpp"

using namespace ambient;
using ambient::test::make_namespace;
using ambient::test::make_pod;
using Catch::Matchers::Contains;

namespace {

kube::pod pod_on(std::string name, std::string ns, std::string sa, std::string node,
                 std::string ip) {
  auto p = make_pod(std::move(name), std::move(ns), std::move(ip));
  p.service_account = std::move(sa);
  p.node_name = std::move(node);
  return p;
}

/// cluster-2 with ztunnel-x on node-a, echo-a (default/echo) on node-a, other-b (default/other)
/// on node-b.
mesh::mesh_index synced_index() {
  mesh::mesh_index idx{test::index_config()};
  idx.upsert("cluster-2", 1, make_namespace("istio-system"));
  idx.upsert("cluster-2", 1, make_namespace("default"));
  idx.upsert("cluster-2", 1, pod_on("ztunnel-x", "istio-system", "ztunnel", "node-a", "10.0.0.5"));
  idx.upsert("cluster-2", 1, pod_on("echo-a", "default", "echo", "node-a", "10.0.0.6"));
  idx.upsert("cluster-2", 1, pod_on("other-b", "default", "other", "node-b", "10.0.0.7"));
  idx.set_state("cluster-2", 1, fleet::lifecycle::synced);
  idx.take_delta();
  return idx;
}

mesh::impersonation_query asking_for(std::string ns, std::string sa) {
  return {"cluster-2",     "istio-system", "ztunnel",    "ztunnel-x",
          "uid-ztunnel-x", std::move(ns),  std::move(sa)};
}

} // namespace

TEST_CASE("a node agent may have the identity of a pod on its node only", "[mesh]") {
  auto idx = synced_index();
  CHECK(idx.impersonation_refusal(asking_for("default", "echo")).empty());
  CHECK(idx.impersonation_refusal(asking_for("istio-system", "ztunnel")).empty());
  CHECK_THAT(idx.impersonation_refusal(asking_for("default", "other")),
             Contains("no pod of default/other runs on node node-a"));
}

TEST_CASE("the node agent pod must be the token pod", "[mesh]") {
  auto idx = synced_index();
  auto q = asking_for("default", "echo");
  q.caller_pod_uid = "uid-of-an-older-pod";
  CHECK_THAT(idx.impersonation_refusal(q), Contains("not the token"));
  q = asking_for("default", "echo");
  q.caller_service_account = "other";
  CHECK_THAT(idx.impersonation_refusal(q), Contains("runs as ztunnel"));
  q = asking_for("default", "echo");
  q.caller_pod = "ztunnel-gone";
  CHECK_THAT(idx.impersonation_refusal(q), Contains("is not in cluster cluster-2"));
  q = asking_for("default", "echo");
  q.cluster_id = "cluster-9";
  CHECK_THAT(idx.impersonation_refusal(q), Contains("has not synced"));
}

TEST_CASE("a pod that moves off the node no longer grants its identity", "[mesh]") {
  auto idx = synced_index();
  idx.upsert("cluster-2", 1, pod_on("echo-a", "default", "echo", "node-b", "10.0.0.6"));
  CHECK_FALSE(idx.impersonation_refusal(asking_for("default", "echo")).empty());
}
