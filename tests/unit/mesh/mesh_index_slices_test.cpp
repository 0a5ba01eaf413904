#include <catch2/catch.hpp>

#include "mesh/mesh_index.hpp"
#include "support/golden.hpp"
#include "support/mesh_builders.hpp"
#include "support/mesh_index_helpers.hpp"

using namespace ambient;
using namespace ambient::mesh;
using ambient::test::bytes_of;
using ambient::test::make_endpoint;
using ambient::test::make_map;
using ambient::test::make_namespace;
using ambient::test::make_pod;
using ambient::test::make_port;
using ambient::test::make_service;
using ambient::test::make_slice;
using ambient::test::pod_endpoint;
using ambient::test::system_ns;

namespace {

constexpr const char* kubernetes_uid
    = "cluster-1/discovery.k8s.io/EndpointSlice/default/kubernetes/172.18.0.2";
constexpr const char* kubernetes_key = "default/kubernetes.default.svc.cluster.local";

void add_kubernetes(mesh_index& idx, const std::string& cluster) {
  idx.upsert(cluster, 1, make_namespace("default"));
  idx.upsert(
      cluster, 1,
      make_service("kubernetes", "default", {}, {make_port(443, 6443, "https")}, "10.96.0.1"));
  idx.upsert(cluster, 1,
             make_slice("kubernetes", "default", "kubernetes", {make_endpoint("172.18.0.2")},
                        "https", 6443));
}

kube::gateway gateway(std::string cls, std::string network, std::string address,
                      int32_t port = 15008) {
  kube::gateway g;
  g.meta.namespace_ = "istio-system";
  g.meta.name = "eastwest";
  g.meta.labels = make_map({{"topology.istio.io/network", std::move(network)}});
  g.gateway_class = std::move(cls);
  g.listeners = {{"mesh", "HBONE", port, "Terminate"}};
  g.addresses = {{"IPAddress", std::move(address)}};
  return g;
}

} // namespace

TEST_CASE("a selector-less Service's EndpointSlice gives workloads, and they leave with it",
          "[mesh]") {
  mesh_index idx{test::index_config()};
  add_kubernetes(idx, "cluster-1");
  idx.set_state("cluster-1", 1, fleet::lifecycle::synced);
  idx.take_delta();
  REQUIRE(idx.resources().contains(kubernetes_uid));
  REQUIRE(idx.resources().contains(kubernetes_key)); // the VIP ztunnel resolves to it
  CHECK(idx.resources().at(kubernetes_uid)->address.workload().services().contains(kubernetes_key));
  CHECK(bytes_of(idx.resources()) == bytes_of(idx.recompute()));
  // A second endpoint, then the Service goes: its slice's workloads go with it.
  idx.upsert("cluster-1", 1,
             make_slice("kubernetes", "default", "kubernetes",
                        {make_endpoint("172.18.0.2"), make_endpoint("172.18.0.3")}, "https", 6443));
  CHECK(idx.take_delta().upserted.size() == 1);
  idx.remove("cluster-1", 1, kube::resource_kind::services, "default/kubernetes");
  auto d = idx.take_delta();
  CHECK(d.removed.size() == 3);
  CHECK(idx.resources().empty());
  // Back, then the slice is deleted.
  idx.upsert(
      "cluster-1", 1,
      make_service("kubernetes", "default", {}, {make_port(443, 6443, "https")}, "10.96.0.1"));
  CHECK(idx.take_delta().upserted.size() == 3);
  idx.remove("cluster-1", 1, kube::resource_kind::endpoint_slices, "default/kubernetes");
  d = idx.take_delta();
  CHECK(d.removed.size() == 2);
  CHECK(bytes_of(idx.resources()) == bytes_of(idx.recompute()));
}

TEST_CASE("a pod named by a selector-less Service's slice lists that Service, by uid", "[mesh]") {
  mesh_index idx{test::index_config()};
  auto pod = make_pod("db-0", "demo", "10.0.0.7", make_map({{"app", "db"}}));
  idx.upsert("cluster-1", 1, make_namespace("demo"));
  idx.upsert("cluster-1", 1, pod);
  idx.upsert("cluster-1", 1,
             make_service("legacy", "demo", {}, {make_port(5432, 5432, "tcp")}, "10.96.0.20"));
  idx.upsert("cluster-1", 1,
             make_service("db", "demo", make_map({{"app", "db"}}), {make_port(5432, 5432, "tcp")},
                          "10.96.0.21"));
  idx.upsert("cluster-1", 1, make_slice("legacy-1", "demo", "legacy", {pod_endpoint(pod)}, "tcp"));
  idx.upsert("cluster-1", 1, make_slice("db-1", "demo", "db", {pod_endpoint(pod)}, "tcp"));
  idx.set_state("cluster-1", 1, fleet::lifecycle::synced);
  idx.take_delta();
  const auto uid = "cluster-1//Pod/demo/db-0";
  auto services = [&] {
    std::vector<std::string> out;
    for (const auto& [k, v] : idx.resources().at(uid)->address.workload().services())
      out.push_back(k);
    std::sort(out.begin(), out.end());
    return out;
  };
  // Selected by db, named by legacy's slice: both, each once; the pod endpoints make no workload.
  CHECK(services()
        == std::vector<std::string>{"demo/db.demo.svc.cluster.local",
                                    "demo/legacy.demo.svc.cluster.local"});
  CHECK(idx.resources().size() == 3);
  // A targetRef without the pod's uid (a pod of the same name, deleted and made again) binds not.
  auto stale = pod_endpoint(pod);
  stale.target_uid = "uid-of-an-older-pod";
  idx.upsert("cluster-1", 1, make_slice("legacy-1", "demo", "legacy", {stale}, "tcp"));
  idx.take_delta();
  CHECK(services() == std::vector<std::string>{"demo/db.demo.svc.cluster.local"});
  CHECK(bytes_of(idx.resources()) == bytes_of(idx.recompute()));
}

TEST_CASE("a remote cluster's pods and slices see only its GLOBAL services", "[mesh]") {
  auto cfg = std::make_shared<mesh_config>(*test::index_config());
  // Namespaces labelled mesh-global=true make their services GLOBAL.
  service_scope_config global;
  global.namespace_selector = std::get<label_selector>(
      label_selector::make(make_map({{"mesh-global", "true"}}), {}, "test"));
  global.scope = service_scope::global;
  cfg->service_scope_configs = {global};
  mesh_index idx{cfg};
  for (const auto* c : {"cluster-1", "cluster-2"}) {
    idx.upsert(c, 1, make_namespace("demo"));
    idx.upsert(c, 1,
               make_service("web", "demo", make_map({{"app", "web"}}), {make_port(80, 8080)},
                            "10.96.0.10"));
    idx.upsert(c, 1, make_pod("web-0", "demo", "10.0.0.1", make_map({{"app", "web"}})));
    idx.set_state(c, 1, fleet::lifecycle::synced);
  }
  add_kubernetes(idx, "cluster-2");
  idx.take_delta();
  const auto& local = idx.resources().at("cluster-1//Pod/demo/web-0")->address.workload();
  CHECK(local.services_size() == 1); // the config cluster's pods list LOCAL services
  // The remote pod does not leak into the config cluster's LOCAL service of the same name.
  CHECK(idx.resources().at("cluster-2//Pod/demo/web-0")->address.workload().services_size() == 0);
  CHECK(!idx.resources().contains(
      "cluster-2/discovery.k8s.io/EndpointSlice/default/kubernetes/172.18.0.2"));
  // The namespaces turn global: the remote pod lists the service, the remote slice counts.
  for (const auto* ns : {"demo", "default"})
    idx.upsert("cluster-2", 1, make_namespace(ns, make_map({{"mesh-global", "true"}})));
  idx.take_delta();
  CHECK(idx.resources().at("cluster-2//Pod/demo/web-0")->address.workload().services_size() == 1);
  CHECK(idx.resources().contains(
      "cluster-2/discovery.k8s.io/EndpointSlice/default/kubernetes/172.18.0.2"));
  CHECK(bytes_of(idx.resources()) == bytes_of(idx.recompute()));
}

TEST_CASE("every merged network gateway is a NetworkGateway workload, once", "[mesh]") {
  auto cfg = std::make_shared<mesh_config>(*test::index_config("net-1"));
  cfg->trust_domain = "example.org";
  mesh_index idx{cfg};
  idx.upsert("cluster-1", 1, system_ns("net-1"));
  idx.upsert("cluster-2", 1, system_ns("network-2"));
  idx.upsert("cluster-3", 1, system_ns("network-2"));
  // The same Gateway (namespace, name, address) seen in two remote clusters merges into one.
  idx.upsert("cluster-2", 1, gateway("istio-east-west", "network-2", "172.18.0.10"));
  idx.upsert("cluster-3", 1, gateway("istio-east-west", "network-2", "172.18.0.10"));
  for (const auto* c : {"cluster-1", "cluster-2", "cluster-3"})
    idx.set_state(c, 1, fleet::lifecycle::synced);
  idx.take_delta();
  const auto* name = "NetworkGateway/network-2/172.18.0.10/0";
  REQUIRE(idx.resources().size() == 1); // kept through the local-network filter
  test::check_golden(idx.resources().at(name)->address.workload(), AMBIENT_MESH_GOLDEN_DIR,
                     "network_gateway_ip");
  idx.remove("cluster-2", 1, kube::resource_kind::gateways, "istio-system/eastwest");
  CHECK(idx.take_delta().empty()); // cluster-3's copy stands
  idx.remove("cluster-3", 1, kube::resource_kind::gateways, "istio-system/eastwest");
  auto d = idx.take_delta();
  REQUIRE(d.removed.size() == 1);
  CHECK(d.removed[0] == name);
  // The config cluster's istio-remote gateway by hostname, with its HBONE port.
  auto remote = gateway("istio-remote", "network-2", "eastwest.example.com");
  remote.addresses = {{"Hostname", "eastwest.example.com"}};
  idx.upsert("cluster-1", 1, remote);
  idx.take_delta();
  test::check_golden(
      idx.resources().at("NetworkGateway/network-2/eastwest.example.com/15008")->address.workload(),
      AMBIENT_MESH_GOLDEN_DIR, "network_gateway_hostname");
  CHECK(bytes_of(idx.resources()) == bytes_of(idx.recompute()));
}

TEST_CASE("pods carry their network's HBONE gateway; an east-west one does not count", "[mesh]") {
  mesh_index idx{test::index_config("net-1")};
  idx.upsert("cluster-1", 1, system_ns("net-1"));
  idx.upsert("cluster-1", 1, make_namespace("demo"));
  idx.upsert("cluster-1", 1, make_pod("a", "demo", "10.0.0.1"));
  idx.upsert("cluster-2", 1, system_ns("net-1"));
  idx.upsert("cluster-2", 1, gateway("istio-east-west", "net-1", "172.18.0.30"));
  idx.set_state("cluster-1", 1, fleet::lifecycle::synced);
  idx.set_state("cluster-2", 1, fleet::lifecycle::synced);
  idx.take_delta();
  const auto* uid = "cluster-1//Pod/demo/a";
  CHECK_FALSE(idx.resources().at(uid)->address.workload().has_network_gateway());
  idx.upsert("cluster-1", 1, gateway("istio-remote", "net-1", "172.18.0.20", 15009));
  auto d = idx.take_delta();
  const auto& gw = idx.resources().at(uid)->address.workload().network_gateway();
  CHECK(gw.address().network() == "net-1");
  CHECK(gw.address().address() == std::string("\xac\x12\x00\x14", 4));
  CHECK(gw.hbone_mtls_port() == 15009);
  CHECK(bytes_of(idx.resources()) == bytes_of(idx.recompute()));
  idx.remove("cluster-1", 1, kube::resource_kind::gateways, "istio-system/eastwest");
  idx.take_delta();
  CHECK_FALSE(idx.resources().at(uid)->address.workload().has_network_gateway());
}

TEST_CASE("what the index skips is counted mesh-wide and noted for the log", "[mesh]") {
  mesh_index idx{test::index_config()};
  add_kubernetes(idx, "cluster-1");
  auto fqdn = make_slice("kubernetes-fqdn", "default", "kubernetes", {make_endpoint("api.local")});
  fqdn.address_type = "FQDN";
  idx.upsert("cluster-1", 1, fqdn);
  idx.set_state("cluster-1", 1, fleet::lifecycle::synced);
  idx.take_delta();
  CHECK(idx.skips().counts()[static_cast<size_t>(skip_reason::slice_fqdn)] == 1);
  auto notes = idx.skips().take_notes();
  REQUIRE(notes.size() == 1);
  CHECK(notes[0].cluster == "cluster-1");
  CHECK(notes[0].object == "default/kubernetes-fqdn");
  CHECK(idx.resources().contains(kubernetes_uid)); // the good slice is unaffected
}
