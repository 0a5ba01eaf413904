// Waypoints end to end, through the real binaries: kubectl makes GatewayClasses, Gateways and
// use-waypoint labels in kube-sim's clusters, ambientd binds them, and a delta ADS client (as
// ztunnel's cache sees it) watches Service.waypoint, Workload.waypoint and application_tunnel
// appear, change and disappear.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "sim/workload.hpp"
#include "support/ambientd_harness.hpp"
#include "support/delta_client.hpp"
#include "support/eventually.hpp"
#include "support/http_get.hpp"

using namespace ambient;

namespace {

const char* waypoint_class = R"(apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: istio-waypoint}
spec: {controllerName: istio.io/mesh-controller}
)";

/// Gateway `name` in `ns` with an HBONE listener on 15008 (allowed routes `from`, if given).
std::string waypoint_gateway(const std::string& ns, const std::string& name,
                             const std::string& from = "") {
  std::string out = "apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata: {name: "
                    + name + ", namespace: " + ns
                    + "}\nspec:\n  gatewayClassName: istio-waypoint\n  listeners:\n"
                      "  - {name: mesh, port: 15008, protocol: HBONE";
  if (!from.empty())
    out += ", allowedRoutes: {namespaces: {from: " + from + "}}";
  return out + "}\n";
}

/// The merge patch that gives a Gateway its status address, as the gateway controller does.
std::string status_patch(const std::string& type, const std::string& value) {
  return R"('{"status":{"addresses":[{"type":")" + type + R"(","value":")" + value + R"("}]}}')";
}

const istio::workload::Service* service(const test::delta_client& z, const std::string& name) {
  auto it = z.held.find(name);
  return it == z.held.end() || !it->second.has_service() ? nullptr : &it->second.service();
}

/// The hostname of the waypoint a held Service or workload carries ("" when none; "ip@network"
/// for an address).
std::string waypoint_of(const test::delta_client& z, const std::string& name) {
  auto it = z.held.find(name);
  if (it == z.held.end())
    return "<absent>";
  const auto& a = it->second;
  bool set = a.has_service() ? a.service().has_waypoint() : a.workload().has_waypoint();
  if (!set)
    return "";
  const auto& w = a.has_service() ? a.service().waypoint() : a.workload().waypoint();
  if (w.has_hostname())
    return w.hostname().namespace_() + "/" + w.hostname().hostname();
  return std::to_string(w.address().address().size()) + "B@" + w.address().network();
}

/// The uids of the held workloads of app `app` (canonical name) in cluster `cluster`.
std::vector<std::string> workloads_of(const test::delta_client& z, const std::string& app,
                                      const std::string& cluster = "cluster-1") {
  std::vector<std::string> out;
  for (const auto& [name, a] : z.held)
    if (a.has_workload() && a.workload().canonical_name() == app
        && a.workload().cluster_id() == cluster)
      out.push_back(name);
  return out;
}

bool all_waypoints(const test::delta_client& z, const std::vector<std::string>& names,
                   const std::string& want) {
  if (names.empty())
    return false;
  for (const auto& n : names)
    if (waypoint_of(z, n) != want)
      return false;
  return true;
}

const std::string svc1 = "app-1/svc-1.app-1.svc.cluster.local";
const std::string svc2 = "app-1/svc-2.app-1.svc.cluster.local";
const std::string app1_waypoint = "app-1/waypoint.app-1.svc.cluster.local";

} // namespace

TEST_CASE("kubectl made waypoints reach delta clients as waypoint fields that follow every change",
          "[interop]") {
  test::ambientd_harness h{2, "ambientd-waypoint"};
  h.seed(0, {1, 1, 2, 4, true}); // app-1: svc-1 and svc-2, two pods each
  h.seed_remote(1, {1, 1, 1, 2, true});
  // One network for both clusters: a remote cluster without one has no waypoints.
  for (size_t c = 0; c < 2; ++c)
    h.kubectl_on(c, "label namespace istio-system topology.istio.io/network=net-1");
  h.kubectl("apply -f -", waypoint_class);
  h.kubectl("apply -f -", waypoint_gateway("app-1", "waypoint"));
  h.kubectl("label namespace app-1 istio.io/use-waypoint=waypoint");
  h.start();
  REQUIRE(h.wait_log(R"(cluster cluster-1: synced)"));

  test::delta_client z{h.xds_target()};
  z.send({"*"});
  REQUIRE(z.read_until([&] {
    return service(z, svc1) != nullptr && workloads_of(z, "svc-1").size() == 2
           && workloads_of(z, "svc-1", "cluster-2").size() == 2;
  }));
  // 1. The Gateway has no status address: nothing is bound, and the binding is counted.
  CHECK(waypoint_of(z, svc1).empty());
  CHECK(all_waypoints(z, workloads_of(z, "svc-1"), ""));
  CHECK_THAT(test::http_get(h.monitoring_url("/metrics")).body,
             Catch::Contains(R"(ambientd_index_skipped_total{reason="waypoint_not_ready"})"));

  // 2. The controller gives it an address: the Services are bound (waypoint-for defaults to
  // service), the pods are not.
  h.kubectl("patch gateway waypoint -n app-1 --type=merge -p "
            + status_patch("Hostname", "waypoint.app-1.svc.cluster.local"));
  REQUIRE(z.read_until([&] { return waypoint_of(z, svc1) == app1_waypoint; }));
  CHECK(service(z, svc1)->waypoint().hbone_mtls_port() == 15008);
  CHECK(all_waypoints(z, workloads_of(z, "svc-1"), ""));

  // 3. waypoint-for=all on the Gateway: the pods are bound too.
  h.kubectl("label gateway waypoint -n app-1 istio.io/waypoint-for=all");
  REQUIRE(z.read_until([&] { return all_waypoints(z, workloads_of(z, "svc-1"), app1_waypoint); }));

  // 4. One pod opts out with none: that pod alone loses it.
  auto pods = workloads_of(z, "svc-1");
  auto opted = pods[0].substr(pods[0].rfind('/') + 1);
  h.kubectl("label pod " + opted + " -n app-1 istio.io/use-waypoint=none");
  REQUIRE(z.read_until(
      [&] { return waypoint_of(z, pods[0]).empty() && waypoint_of(z, pods[1]) == app1_waypoint; }));

  // 5. A waypoint in another namespace: denied while its routes say Same, bound once All.
  h.kubectl("create namespace infra");
  h.kubectl("apply -f -", waypoint_gateway("infra", "shared"));
  h.kubectl("patch gateway shared -n infra --type=merge -p "
            + status_patch("Hostname", "shared.infra.svc.cluster.local"));
  h.kubectl("label service svc-2 -n app-1 istio.io/use-waypoint=shared "
            "istio.io/use-waypoint-namespace=infra");
  REQUIRE(test::eventually([&] {
    return test::http_get(h.debug_url("/debug/waypoints")).body.find("AttachmentDenied")
           != std::string::npos;
  }));
  REQUIRE(z.read_until([&] { return waypoint_of(z, svc2).empty(); }));
  h.kubectl("apply -f -", waypoint_gateway("infra", "shared", "All"));
  REQUIRE(
      z.read_until([&] { return waypoint_of(z, svc2) == "infra/shared.infra.svc.cluster.local"; }));

  // 6. The inbound binding: a pod labelled as the waypoint's instance gets the tunnel, and no
  // waypoint.
  h.kubectl(
      "annotate gateway waypoint -n app-1 ambient.istio.io/waypoint-inbound-binding=PROXY/15088");
  h.kubectl("label pod " + opted + " -n app-1 gateway.networking.k8s.io/gateway-name=waypoint");
  REQUIRE(z.read_until([&] {
    auto it = z.held.find(pods[0]);
    return it != z.held.end() && it->second.workload().has_application_tunnel();
  }));
  const auto& tunnel = z.held.at(pods[0]).workload().application_tunnel();
  CHECK(tunnel.protocol() == istio::workload::ApplicationTunnel::PROXY);
  CHECK(tunnel.port() == 15088);
  CHECK(waypoint_of(z, pods[0]).empty());

  // 7. The remote cluster binds its own Gateway, addressed by IP on its network.
  h.kubectl_on(1, "apply -f -", waypoint_class); // read only from the config cluster: no effect
  h.kubectl_on(1, "apply -f -", waypoint_gateway("app-1", "waypoint"));
  h.kubectl_on(1, "patch gateway waypoint -n app-1 --type=merge -p "
                      + status_patch("IPAddress", "10.20.0.9"));
  h.kubectl_on(1, "label gateway waypoint -n app-1 istio.io/waypoint-for=workload");
  h.kubectl_on(1, "label namespace app-1 istio.io/use-waypoint=waypoint");
  REQUIRE(z.read_until(
      [&] { return all_waypoints(z, workloads_of(z, "svc-1", "cluster-2"), "4B@net-1"); }));
  // The config cluster's Services keep their own waypoint.
  CHECK(waypoint_of(z, svc1) == app1_waypoint);

  // 8. The Gateway deleted: every field bound to it is cleared.
  h.kubectl("delete gateway waypoint -n app-1");
  REQUIRE(z.read_until([&] {
    return waypoint_of(z, svc1).empty() && waypoint_of(z, pods[1]).empty()
           && !z.held.at(pods[0]).workload().has_application_tunnel();
  }));
  CHECK(waypoint_of(z, svc2) == "infra/shared.infra.svc.cluster.local");
  auto report = test::http_get(h.debug_url("/debug/waypoints")).body;
  CHECK_THAT(report,
             Catch::Contains(R"("cluster":"cluster-2","namespace":"app-1","name":"waypoint")"));
  CHECK_THAT(report, Catch::Contains("WaypointIsNotReady"));
  CHECK(h.ambientd->stop() == 0);
}
