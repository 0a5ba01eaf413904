#include <catch2/catch.hpp>

#include <set>
#include <string>

#include "sim/fleet_addresses.hpp"
#include "sim/json.hpp"
#include "sim/workload.hpp"
#include "support/sim_fixture.hpp"

using ambient::test::sim_fixture;
namespace sim = ambient::sim;

namespace {

sim::json get_json(sim_fixture& fx, const std::string& path, size_t cluster = 0) {
  auto r = fx.client(cluster).request("GET", fx.url(path, cluster));
  INFO(path << ": " << r.body.substr(0, 300));
  REQUIRE(r.status == 200);
  auto v = sim::parse_json(r.body, nullptr);
  REQUIRE(v);
  return std::move(*v);
}

/// spec.clusterIP of every Service of the cluster, as the API lists them.
std::multiset<std::string> cluster_ips(sim_fixture& fx, size_t cluster = 0) {
  std::multiset<std::string> ips;
  auto doc = get_json(fx, "/api/v1/services", cluster); // kept: the loop reads into it
  for (const auto& svc : doc["items"])
    ips.insert(svc["spec"]["clusterIP"].get<std::string>());
  return ips;
}

} // namespace

TEST_CASE("every simulated cluster serves default/kubernetes for its bound port",
          "[sim][integration]") {
  sim_fixture fx{2};
  for (size_t i = 0; i < 2; ++i) {
    INFO("cluster " << i);
    const auto port = fx.cluster(i).port();
    auto svc = get_json(fx, "/api/v1/namespaces/default/services/kubernetes", i);
    CHECK(svc["metadata"]["labels"]["component"] == "apiserver");
    CHECK(svc["metadata"]["labels"]["provider"] == "kubernetes");
    CHECK(!svc["spec"].contains("selector"));
    CHECK(svc["spec"]["clusterIP"] == sim::apiserver_service_ip(static_cast<uint32_t>(i)));
    CHECK(svc["spec"]["ports"][0]["port"] == 443);
    CHECK(svc["spec"]["ports"][0]["targetPort"] == port);
    auto slice
        = get_json(fx, "/apis/discovery.k8s.io/v1/namespaces/default/endpointslices/kubernetes", i);
    CHECK(slice["metadata"]["labels"]["kubernetes.io/service-name"] == "kubernetes");
    CHECK(slice["endpoints"][0]["addresses"][0] == "127.0.0.1");
    CHECK(slice["ports"][0]["name"] == "https");
    CHECK(slice["ports"][0]["port"] == port);
  }
}

TEST_CASE("listing default shows the kubernetes Service and EndpointSlice", "[sim][integration]") {
  sim_fixture fx;
  auto services = get_json(fx, "/api/v1/namespaces/default/services")["items"];
  REQUIRE(services.size() == 1);
  CHECK(services[0]["metadata"]["name"] == "kubernetes");
  auto slices
      = get_json(fx, "/apis/discovery.k8s.io/v1/namespaces/default/endpointslices?labelSelector="
                     "kubernetes.io%2Fservice-name%3Dkubernetes")["items"];
  REQUIRE(slices.size() == 1);
  CHECK(slices[0]["metadata"]["name"] == "kubernetes");
}

TEST_CASE("the kubernetes ClusterIP is unique among seeded and user-made Services",
          "[sim][integration]") {
  sim_fixture fx;
  sim::seed_workloads(fx.cluster().data(), 0, {2, 1, 20, 20, true});
  auto made = fx.client().request(
      "POST", fx.url("/api/v1/namespaces/default/services"),
      R"({"metadata":{"name":"web"},"spec":{"selector":{"app":"web"},"ports":[{"port":80}]}})");
  REQUIRE(made.status == 201);
  auto web = sim::parse_json(made.body, nullptr);
  REQUIRE(web);
  CHECK((*web)["spec"]["clusterIP"] == sim::service_ip(0, 64999));
  CHECK((*web)["spec"]["ports"][0]["protocol"] == "TCP");
  auto ips = cluster_ips(fx);
  CHECK(ips.size() == 22);
  CHECK(ips.count(sim::apiserver_service_ip(0)) == 1);
  CHECK(std::set<std::string>(ips.begin(), ips.end()).size() == ips.size());
}
