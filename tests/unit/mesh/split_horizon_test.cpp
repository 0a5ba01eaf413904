#include <catch2/catch.hpp>

#include <functional>
#include <string>
#include <vector>

#include "mesh/service_builder.hpp"
#include "mesh/split_horizon.hpp"
#include "support/golden.hpp"
#include "support/mesh_service_builders.hpp"

using namespace ambient;
using namespace ambient::test::mesh_svc;
namespace wl = istio::workload;

namespace {

/// A remote cluster's east-west gateway on network-2, at `address`.
mesh::network_gateway remote_gateway(const char* address = "172.18.0.10") {
  auto gw = mesh::gateway_of(gateway("istio-east-west", address), context("cluster-2", "network-2"),
                             false);
  REQUIRE(gw);
  return *gw;
}

/// The global service demo/web, with two ports.
wl::Service global_service() {
  auto s = service();
  s.ports = {port(80, 8080, "http"), named_port(9090, "metrics")};
  auto out = mesh::build_service(s, context());
  REQUIRE(out);
  return *out;
}

} // namespace

TEST_CASE("a split-horizon workload stands for a service's endpoints behind a gateway", "[mesh]") {
  const auto gw = remote_gateway();
  const auto svc = global_service();
  const auto out = mesh::split_horizon_workload(gw, svc, 3, "example.org");
  const std::string uid = "network-2/SplitHorizonWorkload/istio-system/eastwest/172.18.0.10/demo/"
                          "web.demo.svc.cluster.local";
  struct row {
    const char* rule;
    std::function<bool()> holds;
  };
  std::vector<row> rows{
      {"uid: network, gateway resource name, service key",
       [&] {
         return out.uid() == uid;
       }},
      {"name equals the uid",
       [&] {
         return out.name() == uid;
       }},
      {"namespace: the service's",
       [&] {
         return out.namespace_() == "demo";
       }},
      {"network: the gateway's",
       [&] {
         return out.network() == "network-2";
       }},
      {"cluster: the gateway's",
       [&] {
         return out.cluster_id() == "cluster-2";
       }},
      {"tunnel: HBONE",
       [&] {
         return out.tunnel_protocol() == wl::HBONE;
       }},
      {"capacity: as given, and set",
       [&] {
         return out.has_capacity() && out.capacity().value() == 3;
       }},
      {"trust domain: the mesh's",
       [&] {
         return out.trust_domain() == "example.org";
       }},
      {"no addresses",
       [&] {
         return out.addresses().empty() && out.hostname().empty();
       }},
      {"no identity, node or canonical names",
       [&] {
         return out.service_account().empty() && out.node().empty() && out.canonical_name().empty()
                && out.canonical_revision().empty() && out.workload_name().empty();
       }},
      {"healthy POD with no waypoint",
       [&] {
         return out.status() == wl::HEALTHY && out.workload_type() == wl::POD
                && !out.has_waypoint();
       }},
      {"services: just the service's key",
       [&] {
         return out.services().size() == 1
                && out.services().count("demo/web.demo.svc.cluster.local") == 1;
       }},
      {"its ports are the service's ports",
       [&] {
         const auto& ports = out.services().at("demo/web.demo.svc.cluster.local").ports();
         return ports.size() == 2 && ports[0].service_port() == 80 && ports[0].target_port() == 8080
                && ports[1].service_port() == 9090 && ports[1].target_port() == 0;
       }},
      {"network gateway: the gateway's IP on its network with port 15008",
       [&] {
         const auto& g = out.network_gateway();
         return g.has_address() && g.address().network() == "network-2"
                && mesh::ip_text(g.address().address()) == "172.18.0.10"
                && g.hbone_mtls_port() == 15008;
       }},
  };
  for (const auto& r : rows) {
    INFO(r.rule);
    CHECK(r.holds());
  }
}

TEST_CASE("the default trust domain is left for ztunnel to assume", "[mesh]") {
  struct row {
    const char* trust_domain;
    const char* expected;
  };
  std::vector<row> rows{{"cluster.local", ""}, {"", ""}, {"corp.example", "corp.example"}};
  for (const auto& r : rows) {
    INFO(r.trust_domain);
    auto out = mesh::split_horizon_workload(remote_gateway(), global_service(), 1, r.trust_domain);
    CHECK(out.trust_domain() == r.expected);
  }
}

TEST_CASE("a hostname gateway is named in its namespace and keys the uid", "[mesh]") {
  auto out = mesh::split_horizon_workload(remote_gateway("gw.example.com"), global_service(), 1,
                                          "cluster.local");
  CHECK(out.uid()
        == "network-2/SplitHorizonWorkload/istio-system/eastwest/gw.example.com/demo/"
           "web.demo.svc.cluster.local");
  REQUIRE(out.network_gateway().has_hostname());
  CHECK(out.network_gateway().hostname().namespace_() == "istio-system");
  CHECK(out.network_gateway().hostname().hostname() == "gw.example.com");
  CHECK(out.network_gateway().hbone_mtls_port() == 15008);
}

TEST_CASE("a split-horizon workload matches its golden text proto", "[mesh]") {
  auto out = mesh::split_horizon_workload(remote_gateway(), global_service(), 2, "cluster.local");
  test::check_golden(out, AMBIENT_MESH_GOLDEN_DIR, "split_horizon");
}
