#include <catch2/catch.hpp>

#include <string>

#include "sim/apiserver_service.hpp"
#include "sim/fleet_addresses.hpp"

using namespace ambient::sim;

namespace {

const resource_type& services() {
  return *find_resource("", "v1", "services");
}
const resource_type& slices() {
  return *find_resource("discovery.k8s.io", "v1", "endpointslices");
}

/// A store with the default namespace, as every cluster has.
void add_default_namespace(store& s) {
  REQUIRE(!s.create(*find_resource("", "v1", "namespaces"), "",
                    *parse_json(R"({"metadata":{"name":"default"}})", nullptr))
               .error);
}

json stored(const store& s, const resource_type& rt) {
  auto r = s.get(rt, "default", "kubernetes");
  REQUIRE(!r.error);
  return *parse_json(r.object->json, nullptr);
}

} // namespace

TEST_CASE("default/kubernetes is a selector-less ClusterIP Service on the range's first address",
          "[sim]") {
  store s;
  add_default_namespace(s);
  reconcile_apiserver_service(s, 5, 34567);
  auto svc = stored(s, services());
  CHECK(svc["metadata"]["labels"]
        == json({{"component", "apiserver"}, {"provider", "kubernetes"}}));
  const auto& spec = svc["spec"];
  CHECK(!spec.contains("selector"));
  CHECK(spec["type"] == "ClusterIP");
  CHECK(spec["clusterIP"] == apiserver_service_ip(5));
  CHECK(spec["clusterIPs"] == json::array({apiserver_service_ip(5)}));
  CHECK(spec["ports"]
        == json::array(
            {{{"name", "https"}, {"protocol", "TCP"}, {"port", 443}, {"targetPort", 34567}}}));
}

TEST_CASE("default/kubernetes' EndpointSlice points at the bound port on 127.0.0.1", "[sim]") {
  store s;
  add_default_namespace(s);
  reconcile_apiserver_service(s, 0, 34567);
  auto slice = stored(s, slices());
  CHECK(slice["metadata"]["labels"]["kubernetes.io/service-name"] == "kubernetes");
  CHECK(slice["metadata"]["labels"].contains("endpointslice.kubernetes.io/managed-by"));
  CHECK(slice["addressType"] == "IPv4");
  REQUIRE(slice["endpoints"].size() == 1);
  const auto& e = slice["endpoints"][0];
  CHECK(e["addresses"] == json::array({"127.0.0.1"}));
  CHECK(e["conditions"]["ready"] == true);
  CHECK(!e.contains("targetRef"));
  CHECK(slice["ports"] == json::array({{{"name", "https"}, {"port", 34567}, {"protocol", "TCP"}}}));
}

TEST_CASE("reconciling again changes nothing, and a new port replaces both objects in place",
          "[sim]") {
  store s;
  add_default_namespace(s);
  reconcile_apiserver_service(s, 0, 34567);
  auto uid = stored(s, slices())["metadata"]["uid"];
  auto rv = s.resource_version();
  reconcile_apiserver_service(s, 0, 34567);
  CHECK(s.resource_version() == rv);
  reconcile_apiserver_service(s, 0, 40000);
  CHECK(s.resource_version() == rv + 2);
  auto slice = stored(s, slices());
  CHECK(slice["metadata"]["uid"] == uid);
  CHECK(slice["ports"][0]["port"] == 40000);
  CHECK(stored(s, services())["spec"]["ports"][0]["targetPort"] == 40000);
  CHECK(s.object_count(services()) == 1);
}
