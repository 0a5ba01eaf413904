// The ambient index against the ambientd binary and kube-sim, objects made as a user makes them:
// EndpointSlice workloads of selector-less services (default/kubernetes among them), pods named
// by such slices, LOCAL vs GLOBAL services of same-network clusters, and the cross-network path a
// ztunnel follows: service → split-horizon workload → network-gateway workload.
#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <string>

#include "mesh/context.hpp"
#include "sim/fleet_addresses.hpp"
#include "sim/objects.hpp"
#include "support/ambientd_harness.hpp"
#include "support/delta_client.hpp"
#include "support/sim_objects.hpp"

using namespace ambient;
using namespace std::chrono_literals;
using test::delta_client;

namespace {

constexpr const char* legacy_key = "data/legacy-db.data.svc.cluster.local";

/// A selector-less Service, as a user writes it for endpoints kept by hand.
std::string legacy_service() {
  return sim::make_service_json("data", "legacy-db", {}, "10.96.7.7", {{"tcp-db", 5432, "5432"}},
                                std::chrono::system_clock::now());
}

/// Its EndpointSlice, written by hand: two addresses of its own (one not ready) and a pod.
std::string legacy_slice(const std::string& pod_uid) {
  return R"({"apiVersion":"discovery.k8s.io/v1","kind":"EndpointSlice",
    "metadata":{"name":"legacy-db-1","namespace":"data",
      "labels":{"kubernetes.io/service-name":"legacy-db"}},
    "addressType":"IPv4",
    "endpoints":[{"addresses":["10.9.0.1"],"conditions":{"ready":true}},
      {"addresses":["10.9.0.2"],"conditions":{"ready":false}},
      {"addresses":["10.4.0.7"],"targetRef":{"kind":"Pod","namespace":"data","name":"db-0",
        "uid":")"
         + pod_uid + R"("}}],
    "ports":[{"name":"tcp-db","port":15432,"protocol":"TCP"}]})";
}

std::string east_west_gateway(const std::string& network, const std::string& ip) {
  return R"({"apiVersion":"gateway.networking.k8s.io/v1","kind":"Gateway",
    "metadata":{"name":"istio-eastwestgateway","namespace":"istio-system",
      "labels":{"topology.istio.io/network":")"
         + network + R"("}},
    "spec":{"gatewayClassName":"istio-east-west",
      "listeners":[{"name":"mesh","port":15008,"protocol":"HBONE","tls":{"mode":"Terminate"}}]},
    "status":{"addresses":[{"type":"IPAddress","value":")"
         + ip + R"("}]}})";
}

std::vector<std::string> services_of(const istio::workload::Address& a) {
  std::vector<std::string> out;
  for (const auto& [k, v] : a.workload().services())
    out.push_back(k);
  std::sort(out.begin(), out.end());
  return out;
}

} // namespace

TEST_CASE("selector-less services get the workloads of their EndpointSlices and the pods those "
          "name list them",
          "[interop]") {
  test::ambientd_harness h{1, "ambientd-slices"};
  test::must_create(h.cluster(0), "namespaces", "", sim::make_namespace_json("data", {}, {}));
  test::must_create_pod(h.cluster(0), "data", "db-0", "10.4.0.7", {{"app", "db"}});
  test::must_create(h.cluster(0), "services", "data", legacy_service());
  test::must_create_in(h.cluster(0), "discovery.k8s.io", "v1", "endpointslices", "data",
                       legacy_slice(test::uid_of(h.cluster(0), "pods", "data", "db-0")));
  h.start();
  delta_client z{h.xds_target()};
  z.send({"*"});
  const std::string ready = "cluster-1/discovery.k8s.io/EndpointSlice/data/legacy-db-1/10.9.0.1";
  const std::string unready = "cluster-1/discovery.k8s.io/EndpointSlice/data/legacy-db-1/10.9.0.2";
  REQUIRE(z.read_until([&] { return z.held.count(ready) && z.held.count(unready); }));
  // The VIP resolves: the service is there, and both endpoints list it with the slice's port.
  REQUIRE(z.held.count(legacy_key) == 1);
  CHECK(mesh::ip_text(z.held.at(legacy_key).service().addresses(0).address()) == "10.96.7.7");
  const auto& w = z.held.at(ready).workload();
  CHECK(w.status() == istio::workload::HEALTHY);
  CHECK(z.held.at(unready).workload().status() == istio::workload::UNHEALTHY);
  CHECK(w.network_mode() == istio::workload::HOST_NETWORK);
  const auto& ports = w.services().at(legacy_key);
  REQUIRE(ports.ports_size() == 1);
  CHECK(ports.ports(0).service_port() == 5432);
  CHECK(ports.ports(0).target_port() == 15432);
  // default/kubernetes, as every API server serves it: its VIP resolves to the API server's
  // own address, port 443 to the port it listens on.
  const std::string api = "cluster-1/discovery.k8s.io/EndpointSlice/default/kubernetes/127.0.0.1";
  const std::string api_key = "default/kubernetes.default.svc.cluster.local";
  REQUIRE(z.held.count(api) == 1); // in the same view as the slices above
  REQUIRE(z.held.count(api_key) == 1);
  CHECK(mesh::ip_text(z.held.at(api_key).service().addresses(0).address())
        == sim::apiserver_service_ip(0));
  const auto& api_ports = z.held.at(api).workload().services().at(api_key);
  REQUIRE(api_ports.ports_size() == 1);
  CHECK(api_ports.ports(0).service_port() == 443);
  CHECK(api_ports.ports(0).target_port() == h.cluster(0).port());
  // The pod named by the slice (with its uid) lists the service; its endpoint is no workload.
  auto pod = z.workload_named("db-0");
  REQUIRE(!pod.empty());
  CHECK(services_of(z.held.at(pod)) == std::vector<std::string>{legacy_key});
  CHECK(z.held.count("cluster-1/discovery.k8s.io/EndpointSlice/data/legacy-db-1/10.4.0.7") == 0);
  // The slice goes: its workloads go, and the pod no longer lists the service.
  test::must_remove_in(h.cluster(0), "discovery.k8s.io", "v1", "endpointslices", "data",
                       "legacy-db-1");
  REQUIRE(z.read_until([&] {
    return z.held.count(ready) == 0 && z.held.count(pod) == 1
           && services_of(z.held.at(pod)).empty();
  }));
  CHECK(z.held.count(unready) == 0);
  CHECK(h.ambientd->stop() == 0);
}

TEST_CASE("a remote pod lists only GLOBAL services and same-name LOCAL ones do not leak",
          "[interop]") {
  test::ambientd_harness h{2, "ambientd-scope"};
  for (size_t c = 0; c < 2; ++c) {
    test::must_create(h.cluster(c), "namespaces", "", sim::make_namespace_json("front", {}, {}));
    test::must_create(h.cluster(c), "services", "front",
                      sim::make_service_json("front", "web", {{"app", "web"}}, "10.96.1.1",
                                             {{"http", 80, "8080"}},
                                             std::chrono::system_clock::now()));
    test::must_create_pod(h.cluster(c), "front", "web-" + std::to_string(c),
                          "10.4.1." + std::to_string(c + 1), {{"app", "web"}});
  }
  test::put_remote_secret(h.cluster(0), "istio-remote-secret-cluster-2", h.cluster(1));
  h.start();
  delta_client z{h.xds_target()};
  z.send({"*"});
  const std::string key = "front/web.front.svc.cluster.local";
  REQUIRE(z.read_until(
      [&] { return !z.workload_named("web-0").empty() && !z.workload_named("web-1").empty(); }));
  CHECK(services_of(z.held.at(z.workload_named("web-0"))) == std::vector<std::string>{key});
  CHECK(services_of(z.held.at(z.workload_named("web-1"))).empty());
  // The remote service turns GLOBAL: its pods list it (and the VIPs merge).
  const auto& services = *sim::find_resource("", "v1", "services");
  REQUIRE(!h.cluster(1)
               .data()
               .patch(services, "front", "web", sim::store::patch_type::merge,
                      *sim::parse_json(R"({"metadata":{"labels":{"istio.io/global":"true"}}})",
                                       nullptr))
               .error);
  REQUIRE(z.read_until([&] {
    auto remote = z.workload_named("web-1");
    return !remote.empty() && services_of(z.held.at(remote)) == std::vector<std::string>{key};
  }));
  CHECK(h.ambientd->stop() == 0);
}

TEST_CASE("across networks a service leads to a split-horizon workload and on to the network "
          "gateway workload as ztunnel looks them up",
          "[interop]") {
  test::ambientd_harness h{2, "ambientd-networks", "network-"};
  for (size_t c = 0; c < 2; ++c) {
    test::must_create(h.cluster(c), "namespaces", "", sim::make_namespace_json("front", {}, {}));
    test::must_create(h.cluster(c), "services", "front",
                      sim::make_service_json(
                          "front", "web", {{"app", "web"}}, "10.96.1.1", {{"http", 80, "8080"}},
                          std::chrono::system_clock::now(), {{"istio.io/global", "true"}}));
  }
  for (int i = 0; i < 3; ++i)
    test::must_create_pod(h.cluster(1), "front", "web-" + std::to_string(i),
                          "10.5.0." + std::to_string(i + 1), {{"app", "web"}});
  test::must_create_in(h.cluster(1), "gateway.networking.k8s.io", "v1", "gateways", "istio-system",
                       east_west_gateway("network-2", "172.18.0.10"));
  test::put_remote_secret(h.cluster(0), "istio-remote-secret-cluster-2", h.cluster(1));
  h.start();
  delta_client z{h.xds_target()};
  z.send({"*"});
  const std::string key = "front/web.front.svc.cluster.local";
  const std::string gateway = "NetworkGateway/network-2/172.18.0.10/0";
  REQUIRE(z.read_until([&] { return z.held.count(key) && z.held.count(gateway); }));
  // 1. The service's endpoints: in the other network, one split-horizon workload stands for all.
  std::vector<std::string> endpoints;
  for (const auto& [name, a] : z.held)
    if (a.has_workload() && a.workload().services().count(key))
      endpoints.push_back(name);
  REQUIRE(endpoints.size() == 1);
  const auto& sh = z.held.at(endpoints[0]).workload();
  CHECK(sh.network() == "network-2");
  CHECK(sh.capacity().value() == 3);
  // 2. Its network gateway, found by (network, address) as ztunnel finds it.
  REQUIRE(sh.network_gateway().has_address());
  const auto& via = sh.network_gateway().address();
  const istio::workload::Workload* found = nullptr;
  for (const auto& [name, a] : z.held)
    if (a.has_workload() && a.workload().network() == via.network())
      for (const auto& ip : a.workload().addresses())
        if (ip == via.address())
          found = &a.workload();
  REQUIRE(found != nullptr);
  CHECK(found->uid() == gateway);
  CHECK(found->service_account() == "istio-eastwestgateway");
  CHECK(found->namespace_() == "istio-system");
  // On demand, by the "network/address" alias, the same workload comes.
  delta_client od{h.xds_target()};
  od.send({"network-2/172.18.0.10"});
  REQUIRE(od.read_until([&] { return od.held.count(gateway) == 1; }));
  // The dashboard draws the same path: service → endpoints in network-2 → the gateway's workload.
  auto dom = h.dashboard_dom();
  INFO(dom.output.substr(0, 4000));
  REQUIRE(dom.exit_code == 0);
  CHECK(
      dom.output.find("<tr data-path=\"" + endpoints[0] + "\"><td>" + key
                      + "</td><td>network-2</td><td>3</td><td>network-2/172.18.0.10:15008</td><td>"
                      + gateway + "</td></tr>")
      != std::string::npos);
  CHECK(h.ambientd->stop() == 0);
}
