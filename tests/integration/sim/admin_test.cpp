#include <algorithm>
#include <sstream>

#include <catch2/catch.hpp>

#include "sim/admin_api.hpp"
#include "support/sim_fixture.hpp"

using ambient::test::sim_fixture;

TEST_CASE("the admin API applies faults and refuses bad parameters", "[sim][integration]") {
  sim_fixture fx{2};
  ambient::sim::admin_api admin{*fx.fleet};
  auto fleet = admin.handle("GET", "/fleet");
  CHECK(fleet.status == 200);
  CHECK(fleet.body.find("\"name\":\"cluster-2\"") != std::string::npos);
  CHECK(admin.handle("GET", "/clusters/cluster-1/kubeconfig").body.find("current-context")
        != std::string::npos);

  CHECK(admin.handle("POST", "/clusters/cluster-1/fail?count=2&code=429").status == 200);
  CHECK(fx.cluster(0).faults().fail_next == 2);
  CHECK(fx.cluster(0).faults().fail_code == 429);
  CHECK(fx.cluster(1).faults().fail_next == 0); // only the named cluster
  CHECK(admin.handle("POST", "/clusters/cluster-1/latency?ms=5").status == 200);
  CHECK(fx.cluster(0).faults().latency_ms == 5);
  CHECK(admin.handle("POST", "/clusters/cluster-2/down").status == 200);
  CHECK(!fx.cluster(1).is_up());
  CHECK(admin.handle("POST", "/clusters/cluster-2/up").status == 200);
  CHECK(fx.cluster(1).is_up());

  CHECK(admin.handle("POST", "/clusters/cluster-1/refuse-list?resource=services&code=500").status
        == 200);
  CHECK(fx.cluster(0).faults().list_refusal("services") == 500);
  CHECK(admin.handle("POST", "/clusters/cluster-1/refuse-list?resource=").status == 200);
  CHECK(!fx.cluster(0).faults().list_refusal("services"));

  CHECK(admin.handle("POST", "/clusters/cluster-1/refuse-list?resource=pods&code=404").status
        == 400);
  CHECK(admin.handle("POST", "/clusters/cluster-1/refuse-list?resource=Pods/x").status == 400);
  CHECK(admin.handle("POST", "/clusters/cluster-1/refuse-list?resource=pods&code=x").status == 400);
  CHECK(!fx.cluster(0).faults().list_refusal("pods")); // a refused request changes nothing
  CHECK(admin.handle("POST", "/clusters/cluster-1/fail?code=418").status == 400);
  CHECK(admin.handle("POST", "/clusters/cluster-1/fail?count=x").status == 400);
  CHECK(admin.handle("POST", "/clusters/cluster-1/latency?ms=-1").status == 400);
  CHECK(admin.handle("POST", "/clusters/cluster-1/stall-watches?on=maybe").status == 400);
  CHECK(admin.handle("POST", "/clusters/cluster-1/seed?pods=-4").status == 400);
  CHECK(admin.handle("POST", "/clusters/cluster-1/churn?rate=5").status == 409); // not seeded
  CHECK(admin.handle("POST", "/clusters/cluster-1/explode").status == 404);
  CHECK(admin.handle("POST", "/clusters/cluster-9/down").status == 404);
  CHECK(admin.handle("GET", "/clusters/cluster-1/down").status == 405);
  CHECK(admin.handle("GET", "/nowhere").status == 404);
  // Still serving after all of that.
  CHECK(fx.client().request("GET", fx.url("/api/v1/namespaces")).status == 429);
}

TEST_CASE("a cluster whose Gateway API is uninstalled answers its paths 404 and serves the rest",
          "[sim][integration]") {
  sim_fixture fx;
  ambient::sim::admin_api admin{*fx.fleet};
  auto gateways = fx.url("/apis/gateway.networking.k8s.io/v1/gateways");
  CHECK(fx.client().request("GET", gateways).status == 200);
  REQUIRE(admin.handle("POST", "/clusters/cluster-1/gateway-api?installed=false").status == 200);
  CHECK(fx.cluster().faults().gateway_api_missing);
  auto r = fx.client().request("GET", gateways);
  CHECK(r.status == 404);
  CHECK(r.body.find("\"reason\":\"NotFound\"") != std::string::npos);
  CHECK(fx.client().request("GET", fx.url("/api/v1/pods")).status == 200);
  CHECK(admin.handle("POST", "/clusters/cluster-1/gateway-api?installed=maybe").status == 400);
  REQUIRE(admin.handle("POST", "/clusters/cluster-1/gateway-api?installed=true").status == 200);
  CHECK(fx.client().request("GET", gateways).status == 200);
}

TEST_CASE("the admin API seeds and churns a cluster", "[sim][integration]") {
  sim_fixture fx;
  ambient::sim::admin_api admin{*fx.fleet};
  REQUIRE(admin.handle("POST", "/clusters/cluster-1/seed?namespaces=1&nodes=1&services=2&pods=10")
              .status
          == 200);
  CHECK(fx.cluster().data().object_count(*ambient::sim::find_resource("", "v1", "pods")) == 10);
  auto rv = fx.cluster().data().resource_version();
  REQUIRE(admin.handle("POST", "/clusters/cluster-1/churn?rate=200").status == 200);
  for (int i = 0; i < 2000 && fx.cluster().data().resource_version() < rv + 5; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds{10});
  CHECK(fx.cluster().data().resource_version() >= rv + 5);
  CHECK(admin.handle("POST", "/clusters/cluster-1/churn?rate=0").status == 200);
}

TEST_CASE("the admin API stamps relabels with their time and refuses bad stamp parameters",
          "[sim][integration]") {
  sim_fixture fx;
  ambient::sim::admin_api admin{*fx.fleet};
  CHECK(admin.handle("POST", "/clusters/cluster-1/stamp?rate=5").status == 409); // not seeded
  REQUIRE(admin.handle("POST", "/clusters/cluster-1/seed?namespaces=1&nodes=1&services=2&pods=10")
              .status
          == 200);
  CHECK(admin.handle("POST", "/clusters/cluster-1/stamp?rate=-1").status == 400);
  CHECK(admin.handle("POST", "/clusters/cluster-1/stamp?rate=5&tag=a-b").status == 400);
  CHECK(admin.handle("POST", "/clusters/cluster-1/stamp?rate=5&tag=").status == 400);
  auto before = std::chrono::duration_cast<std::chrono::nanoseconds>(
                    std::chrono::steady_clock::now().time_since_epoch())
                    .count();
  REQUIRE(admin.handle("POST", "/clusters/cluster-1/stamp?rate=200&tag=one").status == 200);
  std::string stamps;
  for (int i = 0; i < 300; ++i) {
    stamps = admin.handle("GET", "/clusters/cluster-1/stamps?tag=one").body;
    if (std::count(stamps.begin(), stamps.end(), '\n') >= 5)
      break;
    std::this_thread::sleep_for(std::chrono::milliseconds{10});
  }
  CHECK(admin.handle("POST", "/clusters/cluster-1/stamp?rate=0").status == 200);
  REQUIRE(std::count(stamps.begin(), stamps.end(), '\n') >= 5);
  // "<n> <steady ns>": numbered from 0, stamped after we asked.
  std::istringstream lines{stamps};
  uint64_t n = 0;
  int64_t at = 0;
  REQUIRE(lines >> n >> at);
  CHECK(n == 0);
  CHECK(at >= before);
  // The stamp is in a pod's canonical-revision label: "s<cluster index>-<tag>-<n>".
  const auto& pods = *ambient::sim::find_resource("", "v1", "pods");
  auto listed = fx.cluster().data().list(pods, {}, 0, {});
  bool found = false;
  for (const auto& o : listed.items)
    found
        = found
          || o->json.find("\"service.istio.io/canonical-revision\":\"s0-one-") != std::string::npos;
  CHECK(found);
  // Another tag's stamps are kept apart; an unknown tag has none.
  CHECK(admin.handle("GET", "/clusters/cluster-1/stamps?tag=two").body.empty());
}
