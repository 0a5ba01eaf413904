#include <catch2/catch.hpp>

#include <functional>
#include <string>
#include <vector>

#include "mesh/service_builder.hpp"
#include "support/golden.hpp"
#include "support/mesh_service_builders.hpp"

using namespace ambient;
using namespace ambient::test::mesh_svc;
namespace wl = istio::workload;

namespace {

/// An edit of the default service that a table row applies.
using edit = std::function<void(kube::service&)>;

/// The default service after `change`, built in the default context.
std::optional<wl::Service> build_edited(const edit& change) {
  auto s = service();
  change(s);
  return mesh::build_service(s, context());
}

/// The service's addresses as "network/ip" text.
std::vector<std::string> address_texts(const wl::Service& s) {
  std::vector<std::string> out;
  for (const auto& a : s.addresses())
    out.push_back(a.network() + "/" + mesh::ip_text(a.address()));
  return out;
}

/// The routing preference as a plain vector.
std::vector<int> scopes(const wl::LoadBalancing& lb) {
  return {lb.routing_preference().begin(), lb.routing_preference().end()};
}

} // namespace

TEST_CASE("a Service keeps its name and namespace, gets the cluster domain's hostname and no SANs",
          "[mesh]") {
  auto ctx = context();
  ctx.cluster_domain = "example.org";
  auto s = service("api", "shop");
  put(s.meta.annotations, "alpha.istio.io/kubernetes-serviceaccounts", "web-sa");
  auto out = mesh::build_service(s, ctx);
  REQUIRE(out);
  CHECK(out->name() == "api");
  CHECK(out->namespace_() == "shop");
  CHECK(out->hostname() == "api.shop.svc.example.org");
  CHECK(out->subject_alt_names().empty()); // the annotation counts only outside ambient
  CHECK(!out->has_waypoint());
  CHECK(out->extensions().empty());
}

TEST_CASE("ExternalName Services and unparsable cluster IPs give no Service", "[mesh]") {
  struct row {
    const char* rule;
    edit change;
  };
  std::vector<row> rows{
      {"type ExternalName is left to DNS",
       [](auto& s) {
         s.type = "ExternalName";
         s.external_name = "db.example.com";
         s.cluster_ip.clear();
         s.cluster_ips.clear();
       }},
      {"a cluster IP that is not an IP drops the Service",
       [](auto& s) {
         s.cluster_ips = {"10.96.0.10", "not-an-ip"};
       }},
      {"an unparsable clusterIP without clusterIPs drops it too",
       [](auto& s) {
         s.cluster_ips.clear();
         s.cluster_ip = "10.96.0";
       }},
  };
  for (const auto& r : rows) {
    INFO(r.rule);
    CHECK(!build_edited(r.change));
  }
}

TEST_CASE("only cluster IPs become addresses, on the cluster's network", "[mesh]") {
  struct row {
    const char* rule;
    edit change;
    std::vector<std::string> expected;
  };
  std::vector<row> rows{
      {"one cluster IP", [](auto&) {}, {"network-1/10.96.0.10"}},
      {"clusterIPs, in order",
       [](auto& s) {
         s.cluster_ips = {"10.96.0.10", "fd00:10:96::a"};
       },
       {"network-1/10.96.0.10", "network-1/fd00:10:96::a"}},
      {"clusterIP when clusterIPs is empty",
       [](auto& s) { s.cluster_ips.clear(); },
       {"network-1/10.96.0.10"}},
      {"headless has none",
       [](auto& s) {
         s.cluster_ip = "None";
         s.cluster_ips = {"None"};
         s.headless = true;
       },
       {}},
      {"no cluster IP has none",
       [](auto& s) {
         s.cluster_ip.clear();
         s.cluster_ips.clear();
       },
       {}},
      {"external IPs are not VIPs",
       [](auto& s) { s.external_ips = {"192.0.2.7"}; },
       {"network-1/10.96.0.10"}},
      {"a LoadBalancer Service has only its cluster IP",
       [](auto& s) {
         s.type = "LoadBalancer";
         s.external_ips = {"203.0.113.9"};
       },
       {"network-1/10.96.0.10"}},
  };
  for (const auto& r : rows) {
    INFO(r.rule);
    auto out = build_edited(r.change);
    REQUIRE(out);
    CHECK(address_texts(*out) == r.expected);
  }
  auto out = mesh::build_service(service(), context("c", ""));
  REQUIRE(out);
  CHECK(address_texts(*out) == std::vector<std::string>{"/10.96.0.10"});
}

TEST_CASE("ports map the service port to a numeric target port, else to zero", "[mesh]") {
  auto s = service();
  s.ports = {port(80, 8080, "http"), port(443, 443, "https"), named_port(9090, "metrics")};
  auto out = mesh::build_service(s, context());
  REQUIRE(out);
  REQUIRE(out->ports_size() == 3);
  CHECK(out->ports(0).service_port() == 80);
  CHECK(out->ports(0).target_port() == 8080);
  CHECK(out->ports(1).service_port() == 443);
  CHECK(out->ports(1).target_port() == 443);
  CHECK(out->ports(2).service_port() == 9090);
  CHECK(out->ports(2).target_port() == 0);
}

TEST_CASE("load balancing follows internal traffic policy, traffic distribution and readiness",
          "[mesh]") {
  using lb = wl::LoadBalancing;
  const std::vector<int> none{}, node{lb::NODE}, zone{lb::NETWORK, lb::REGION, lb::ZONE},
      same_node{lb::NETWORK, lb::REGION, lb::ZONE, lb::SUBZONE, lb::NODE};
  auto annotate = [](std::string value) {
    return [value](kube::service& s) {
      put(s.meta.annotations, "networking.istio.io/traffic-distribution", value);
    };
  };
  struct row {
    const char* rule;
    edit change;
    bool has_lb;
    lb::Mode mode;
    std::vector<int> preference;
    lb::HealthPolicy health;
  };
  std::vector<row> rows{
      {"nothing set: no load balancing", [](auto&) {}, false, {}, none, {}},
      {"internalTrafficPolicy Cluster: none",
       [](auto& s) { s.internal_traffic_policy = "Cluster"; },
       false,
       {},
       none,
       {}},
      {"internalTrafficPolicy Local: strict on the node",
       [](auto& s) { s.internal_traffic_policy = "Local"; }, true, lb::STRICT, node,
       lb::ONLY_HEALTHY},
      {"PreferClose: failover network, region, zone",
       [](auto& s) { s.traffic_distribution = "PreferClose"; }, true, lb::FAILOVER, zone,
       lb::ONLY_HEALTHY},
      {"PreferSameZone: as PreferClose", [](auto& s) { s.traffic_distribution = "PreferSameZone"; },
       true, lb::FAILOVER, zone, lb::ONLY_HEALTHY},
      {"PreferSameNode: failover down to the node",
       [](auto& s) { s.traffic_distribution = "PreferSameNode"; }, true, lb::FAILOVER, same_node,
       lb::ONLY_HEALTHY},
      {"internalTrafficPolicy Local wins over trafficDistribution",
       [](auto& s) {
         s.internal_traffic_policy = "Local";
         s.traffic_distribution = "PreferSameNode";
       },
       true, lb::STRICT, node, lb::ONLY_HEALTHY},
      {"the spec field is case-sensitive",
       [](auto& s) { s.traffic_distribution = "preferclose"; },
       false,
       {},
       none,
       {}},
      {"the annotation is not: preferclose", annotate("preferclose"), true, lb::FAILOVER, zone,
       lb::ONLY_HEALTHY},
      {"the annotation PreferSameZone", annotate("PreferSameZone"), true, lb::FAILOVER, zone,
       lb::ONLY_HEALTHY},
      {"the annotation PREFERSAMENODE", annotate("PREFERSAMENODE"), true, lb::FAILOVER, same_node,
       lb::ONLY_HEALTHY},
      {"an unknown annotation value: none", annotate("PreferNetwork"), false, {}, none, {}},
      {"an unknown spec value falls back to the annotation",
       [&](auto& s) {
         s.traffic_distribution = "PreferRegion";
         annotate("PreferSameNode")(s);
       },
       true, lb::FAILOVER, same_node, lb::ONLY_HEALTHY},
      {"the spec field wins over the annotation",
       [&](auto& s) {
         s.traffic_distribution = "PreferClose";
         annotate("PreferSameNode")(s);
       },
       true, lb::FAILOVER, zone, lb::ONLY_HEALTHY},
      {"publishNotReadyAddresses alone: only ALLOW_ALL",
       [](auto& s) { s.publish_not_ready_addresses = true; }, true, lb::UNSPECIFIED_MODE, none,
       lb::ALLOW_ALL},
      {"publishNotReadyAddresses with PreferClose",
       [](auto& s) {
         s.publish_not_ready_addresses = true;
         s.traffic_distribution = "PreferClose";
       },
       true, lb::FAILOVER, zone, lb::ALLOW_ALL},
      {"publishNotReadyAddresses with internalTrafficPolicy Local",
       [](auto& s) {
         s.publish_not_ready_addresses = true;
         s.internal_traffic_policy = "Local";
       },
       true, lb::STRICT, node, lb::ALLOW_ALL},
  };
  for (const auto& r : rows) {
    INFO(r.rule);
    auto out = build_edited(r.change);
    REQUIRE(out);
    REQUIRE(out->has_load_balancing() == r.has_lb);
    CHECK(out->load_balancing().mode() == r.mode);
    CHECK(scopes(out->load_balancing()) == r.preference);
    CHECK(out->load_balancing().health_policy() == r.health);
  }
}

TEST_CASE("ALLOW_ALL on one Service does not leak into the next with the same distribution",
          "[mesh]") {
  auto first = service("a");
  first.traffic_distribution = "PreferClose";
  first.publish_not_ready_addresses = true;
  auto second = service("b");
  second.traffic_distribution = "PreferClose";
  REQUIRE(mesh::build_service(first, context())->load_balancing().health_policy()
          == wl::LoadBalancing::ALLOW_ALL);
  auto out = mesh::build_service(second, context());
  REQUIRE(out);
  CHECK(out->load_balancing().health_policy() == wl::LoadBalancing::ONLY_HEALTHY);
}

TEST_CASE("ip families follow spec.ipFamilies", "[mesh]") {
  struct row {
    std::vector<std::string> families;
    wl::IPFamilies expected;
  };
  std::vector<row> rows{
      {{}, wl::AUTOMATIC},          {{"IPv4"}, wl::IPV4_ONLY},    {{"IPv6"}, wl::IPV6_ONLY},
      {{"IPv4", "IPv6"}, wl::DUAL}, {{"IPv6", "IPv4"}, wl::DUAL},
  };
  for (const auto& r : rows) {
    INFO(r.families.size() << " families");
    auto s = service();
    s.ip_families = r.families;
    auto out = mesh::build_service(s, context());
    REQUIRE(out);
    CHECK(out->ip_families() == r.expected);
  }
}

TEST_CASE("a dual-stack Service matches its golden text proto", "[mesh]") {
  auto s = service();
  s.cluster_ips = {"10.96.0.10", "fd00:10:96::a"};
  s.ip_families = {"IPv4", "IPv6"};
  s.ports = {port(80, 8080, "http"), named_port(9090, "metrics")};
  s.traffic_distribution = "PreferClose";
  auto out = mesh::build_service(s, context());
  REQUIRE(out);
  test::check_golden(*out, AMBIENT_MESH_GOLDEN_DIR, "service_dual_stack");
}

TEST_CASE("a headless Service matches its golden text proto", "[mesh]") {
  auto s = service("db", "data");
  s.cluster_ip = "None";
  s.cluster_ips = {"None"};
  s.headless = true;
  s.ports = {port(5432, 5432, "postgres")};
  s.publish_not_ready_addresses = true;
  s.internal_traffic_policy = "Local";
  auto out = mesh::build_service(s, context());
  REQUIRE(out);
  test::check_golden(*out, AMBIENT_MESH_GOLDEN_DIR, "service_headless");
}
