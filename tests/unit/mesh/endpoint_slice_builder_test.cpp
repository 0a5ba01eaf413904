#include <catch2/catch.hpp>

#include "mesh/endpoint_slice_builder.hpp"
#include "mesh/resource_names.hpp"
#include "support/golden.hpp"
#include "support/mesh_builders.hpp"

using namespace ambient;
using namespace ambient::mesh;
using ambient::test::make_endpoint;
using ambient::test::make_map;
using ambient::test::make_pod;
using ambient::test::make_port;
using ambient::test::make_service;
using ambient::test::make_slice;
using ambient::test::pod_endpoint;

namespace {

cluster_context context() {
  cluster_context ctx;
  ctx.cluster_id = "cluster-1";
  ctx.network = "network-1";
  return ctx;
}

/// default/kubernetes as every API server serves it: no selector, https 443 → the server's port.
kube::service kubernetes_service() {
  auto s = make_service("kubernetes", "default", {}, {make_port(443, 6443, "https")}, "10.96.0.1");
  s.meta.labels = make_map({{"component", "apiserver"}, {"provider", "kubernetes"}});
  return s;
}

kube::endpoint_slice kubernetes_slice() {
  return make_slice("kubernetes", "default", "kubernetes", {make_endpoint("172.18.0.2")}, "https",
                    6443);
}

size_t count(const skip_log& log, skip_reason r) {
  return log.counts()[static_cast<size_t>(r)];
}

} // namespace

TEST_CASE("default/kubernetes maps to the golden EndpointSlice workload", "[mesh]") {
  skip_log skips;
  auto out = build_slice_workloads(kubernetes_slice(), kubernetes_service(), context(), skips);
  REQUIRE(out.size() == 1);
  CHECK(out[0]->name == out[0]->address.workload().uid());
  test::check_golden(out[0]->address.workload(), AMBIENT_MESH_GOLDEN_DIR,
                     "slice_default_kubernetes");
  CHECK(skips.counts() == skip_counts{});
}

TEST_CASE("slice endpoints: pods, repeats, bad and missing addresses are skipped", "[mesh]") {
  auto slice = kubernetes_slice();
  auto pod = make_pod("web-0", "default", "10.0.0.9");
  slice.endpoints = {
      pod_endpoint(pod), // the pod is its own workload
      make_endpoint("172.18.0.3", false),
      make_endpoint("172.18.0.3"), // the same first address again
      make_endpoint("not-an-ip"),
      kube::endpoint_slice::endpoint{}, // no addresses
      make_endpoint("fd00::3"),
  };
  skip_log skips;
  auto out = build_slice_workloads(slice, kubernetes_service(), context(), skips);
  REQUIRE(out.size() == 2);
  CHECK(out[0]->name == "cluster-1/discovery.k8s.io/EndpointSlice/default/kubernetes/172.18.0.3");
  CHECK(out[0]->address.workload().status() == istio::workload::UNHEALTHY);
  CHECK(out[1]->name == "cluster-1/discovery.k8s.io/EndpointSlice/default/kubernetes/fd00::3");
  CHECK(out[1]->address.workload().addresses(0).size() == 16);
  CHECK(count(skips, skip_reason::endpoint_repeated_address) == 1);
  CHECK(count(skips, skip_reason::endpoint_bad_address) == 1);
  CHECK(count(skips, skip_reason::endpoint_no_address) == 1);
  auto notes = skips.take_notes();
  REQUIRE(notes.size() == 3);
  CHECK(notes[0].cluster == "cluster-1");
  CHECK(notes[0].object == "default/kubernetes");
}

TEST_CASE("slice ports join the Service's by name, TCP only; incomplete ones are counted",
          "[mesh]") {
  auto svc
      = make_service("db", "data", {}, {make_port(5432, 5432, "tcp-db"), make_port(53, 53, "dns")});
  auto slice = make_slice("db-x", "data", "db", {make_endpoint("10.9.0.1")}, "tcp-db", 15432);
  slice.ports.push_back({"dns", "UDP", 5353});        // not TCP: left out
  slice.ports.push_back({"metrics", "TCP", 9090});    // no such Service port: left out
  slice.ports.push_back({std::nullopt, "TCP", 1});    // no name
  slice.ports.push_back({"tcp-db", std::nullopt, 2}); // no protocol
  slice.ports.push_back({"tcp-db", "TCP", 0});        // no number
  skip_log skips;
  auto out = build_slice_workloads(slice, svc, context(), skips);
  REQUIRE(out.size() == 1);
  const auto& ports = out[0]->address.workload().services().at("data/db.data.svc.cluster.local");
  REQUIRE(ports.ports_size() == 1);
  CHECK(ports.ports(0).service_port() == 5432);
  CHECK(ports.ports(0).target_port() == 15432);
  CHECK(count(skips, skip_reason::slice_port_incomplete) == 3);
  // No usable port: the workload still lists the service, with no ports (as istiod).
  slice.ports.clear();
  out = build_slice_workloads(slice, svc, context(), skips);
  REQUIRE(out.size() == 1);
  CHECK(out[0]->address.workload().services().at("data/db.data.svc.cluster.local").ports_size()
        == 0);
}

TEST_CASE("FQDN and unknown address types are not used, and are counted", "[mesh]") {
  auto slice = kubernetes_slice();
  skip_log skips;
  CHECK(slice_address_type_usable(slice, "cluster-1", skips));
  slice.address_type = "IPv6";
  CHECK(slice_address_type_usable(slice, "cluster-1", skips));
  slice.address_type = "FQDN";
  CHECK_FALSE(slice_address_type_usable(slice, "cluster-1", skips));
  slice.address_type = "IPv5";
  CHECK_FALSE(slice_address_type_usable(slice, "cluster-1", skips));
  CHECK(count(skips, skip_reason::slice_fqdn) == 1);
  CHECK(count(skips, skip_reason::slice_address_type) == 1);
  CHECK(slice_service_key(slice) == "default/kubernetes");
  slice.meta.labels.clear();
  CHECK(slice_service_key(slice).empty()); // not a Service's slice
}

TEST_CASE("every resource name is classified by its form", "[mesh]") {
  struct row {
    const char* name;
    name_kind kind;
    const char* cluster;
  } rows[] = {
      {"demo/web.demo.svc.cluster.local", name_kind::service, ""},
      {"cluster-1//Pod/demo/web-0", name_kind::cluster_workload, "cluster-1"},
      {"c-2/discovery.k8s.io/EndpointSlice/default/kubernetes/fd00::1", name_kind::cluster_workload,
       "c-2"},
      {"NetworkGateway/net-2/172.18.0.10/0", name_kind::network_gateway, ""},
      {"net-2/SplitHorizonWorkload/istio-system/ew/1.2.3.4/demo/web.demo.svc.cluster.local",
       name_kind::split_horizon, ""},
      {"no-slash", name_kind::other, ""},
      {"//Pod/demo/x", name_kind::other, ""}, // no cluster
  };
  for (const auto& r : rows) {
    INFO(r.name);
    std::string_view cluster;
    CHECK(classify_name(r.name, &cluster) == r.kind);
    CHECK(cluster == r.cluster);
  }
}
