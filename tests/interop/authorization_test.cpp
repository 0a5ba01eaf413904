// AuthorizationPolicy and PeerAuthentication end to end, through the real binaries: kubectl
// applies Istio's security CRDs and policies to the config cluster (kube-sim), ambientd converts
// them, and delta ADS clients (one per type, as ztunnel's cache sees them) receive the
// istio.security.Authorization resources and the workloads' authorization_policies; deleting a
// policy, and then the CRD, takes them away.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "sim/workload.hpp"
#include "support/ambientd_harness.hpp"
#include "support/delta_client.hpp"
#include "support/http_get.hpp"
#include "support/policy_yaml.hpp"

using namespace ambient;

namespace {

const char* strict_peer_authentication = R"(apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: strict, namespace: app-1}
spec:
  mtls: {mode: STRICT}
)";

const std::string static_strict = "istio-system/istio_converted_static_strict";

/// The policies each held workload of app `app` lists (one entry per workload).
std::vector<std::vector<std::string>> lists_of(const test::delta_client& z,
                                               const std::string& app) {
  std::vector<std::vector<std::string>> out;
  for (const auto& [name, a] : z.held)
    if (a.has_workload() && a.workload().canonical_name() == app) {
      const auto& p = a.workload().authorization_policies();
      out.emplace_back(p.begin(), p.end());
    }
  return out;
}

bool all_list(const test::delta_client& z, const std::string& app,
              const std::vector<std::string>& expected) {
  auto lists = lists_of(z, app);
  if (lists.empty())
    return false;
  for (const auto& l : lists)
    if (l != expected)
      return false;
  return true;
}

} // namespace

TEST_CASE("kubectl applied policies reach delta clients as Authorization resources and workload "
          "lists and leave with their policy and their CRD",
          "[interop]") {
  test::ambientd_harness h{1, "ambientd-authz"};
  h.seed(0, {1, 1, 2, 4, true}); // app-1: svc-1 and svc-2, two pods each
  h.kubectl("apply -f " TEST_SUPPORT_DIR "/istio-security-crds.yaml");
  h.kubectl(
      "wait --for condition=established --timeout=15s "
      "crd/authorizationpolicies.security.istio.io crd/peerauthentications.security.istio.io");
  h.start();
  REQUIRE(h.wait_log(R"(cluster cluster-1: synced)"));

  test::delta_client addresses{h.xds_target()};
  addresses.send({"*"});
  REQUIRE(addresses.read_until([&] { return lists_of(addresses, "svc-1").size() == 2; }));
  CHECK(all_list(addresses, "svc-1", {}));
  test::delta_client authz{h.xds_target()};
  authz.type_url = test::authorization_type;
  authz.send({"*"});
  auto first = authz.read(); // the wildcard's first answer: nothing yet
  authz.send({}, {}, first.nonce());
  CHECK(authz.authorizations.empty());

  // Applied: the resource and the list of the two svc-1 pods; svc-2's pods list nothing.
  CHECK_THAT(h.kubectl("apply -f -", test::allow_shop_policy), Catch::Contains("created"));
  REQUIRE(authz.read_until([&] { return authz.authorizations.contains("app-1/allow-shop"); }));
  const auto& a = authz.authorizations.at("app-1/allow-shop");
  CHECK(a.name() == "allow-shop");
  CHECK(a.namespace_() == "app-1");
  CHECK(a.scope() == istio::security::WORKLOAD_SELECTOR);
  CHECK(a.action() == istio::security::ALLOW);
  REQUIRE(a.groups_size() == 1);
  REQUIRE(addresses.read_until([&] { return all_list(addresses, "svc-1", {"app-1/allow-shop"}); }));
  CHECK(all_list(addresses, "svc-2", {}));

  // A STRICT PeerAuthentication: the static strict policy, listed by every pod of its namespace.
  h.kubectl("apply -f -", strict_peer_authentication);
  REQUIRE(authz.read_until([&] { return authz.authorizations.contains(static_strict); }));
  REQUIRE(addresses.read_until([&] {
    return all_list(addresses, "svc-1", {"app-1/allow-shop", static_strict})
           && all_list(addresses, "svc-2", {static_strict});
  }));

  // Deleted: the resource goes, and the pods' lists lose it.
  h.kubectl("delete authorizationpolicy allow-shop -n app-1");
  REQUIRE(authz.read_until([&] { return !authz.authorizations.contains("app-1/allow-shop"); }));
  REQUIRE(addresses.read_until([&] { return all_list(addresses, "svc-1", {static_strict}); }));

  // The CRD deleted: every PeerAuthentication goes with it, and so does what it made.
  h.kubectl("delete crd peerauthentications.security.istio.io");
  REQUIRE(authz.read_until([&] { return authz.authorizations.empty(); }));
  REQUIRE(addresses.read_until(
      [&] { return all_list(addresses, "svc-1", {}) && all_list(addresses, "svc-2", {}); }));
  CHECK(h.ambientd->stop() == 0);
}
