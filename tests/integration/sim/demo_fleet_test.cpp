#include <catch2/catch.hpp>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <unistd.h>
#include <variant>

#include "fleet/cluster_registry.hpp"
#include "kube/decode.hpp"
#include "kube/kubeconfig.hpp"
#include "mesh/mesh_config.hpp"
#include "sim/demo_fleet.hpp"
#include "sim/resources.hpp"
#include "support/https_client.hpp"

using namespace ambient;
using namespace std::chrono_literals;

namespace {

/// A fresh temporary directory, removed with everything in it.
struct scratch_dir {
  std::filesystem::path path = std::filesystem::temp_directory_path()
                               / ("ambient-demo-fleet-" + std::to_string(::getpid()) + "-"
                                  + std::to_string(reinterpret_cast<uintptr_t>(this)));
  scratch_dir() {
    std::filesystem::create_directories(path);
  }
  ~scratch_dir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
};

/// Short script times, so that a test can step through the whole script.
sim::demo_options short_options(const scratch_dir& dir) {
  sim::demo_options o;
  o.dir = (dir.path / "demo").string();
  o.fix_secret_after = 100ms;
  o.outage_at = 200ms;
  o.outage_length = 200ms;
  return o;
}

const sim::resource_type& core(const char* resource) {
  return *sim::find_resource("", "v1", resource);
}

std::vector<sim::object_ptr> list(sim::sim_cluster& c, const sim::resource_type& rt,
                                  const std::string& ns) {
  sim::object_filter f;
  f.namespace_ = ns;
  auto r = c.data().list(rt, f, 0, {});
  REQUIRE(!r.error);
  return r.items;
}

/// The kubeconfig in `cluster_id`'s remote secret, read the way ambientd reads it.
std::string remote_kubeconfig(sim::demo_fleet& demo, const std::string& cluster_id) {
  auto got = demo.clusters().cluster(0).data().get(core("secrets"), "istio-system",
                                                   sim::demo_fleet::remote_secret_name(cluster_id));
  REQUIRE(got.object);
  auto secret = kube::decode_as<kube::secret>(got.object->json);
  REQUIRE(std::holds_alternative<kube::secret>(secret));
  CHECK(kube::lookup(std::get<kube::secret>(secret).meta.labels, "istio/multiCluster") == "true");
  auto entries = fleet::read_remote_secret(std::get<kube::secret>(secret));
  REQUIRE(entries.size() == 1);
  CHECK(entries[0].cluster_id == cluster_id);
  return entries[0].kubeconfig;
}

/// The message parse_kubeconfig refuses `yaml` with, or "" when it accepts it.
std::string refusal(const std::string& yaml, const std::string& cluster_id) {
  auto parsed = kube::parse_kubeconfig(yaml, cluster_id, {});
  auto* error = std::get_if<kube::kubeconfig_error>(&parsed);
  return error ? error->message : std::string{};
}

} // namespace

TEST_CASE("the demo fleet is a config cluster and three remotes on two networks",
          "[sim][integration]") {
  scratch_dir dir;
  sim::demo_fleet demo{short_options(dir)};
  CHECK(demo.cluster_ids()
        == std::vector<std::string>{"cluster-1", "cluster-2", "cluster-3", "cluster-4"});
  CHECK(demo.config_cluster_id() == "cluster-1");
  CHECK(std::filesystem::exists(demo.config_kubeconfig_path()));
  const char* networks[] = {"network-1", "network-1", "network-2", "network-2"};
  const auto& gateways = *sim::find_resource("gateway.networking.k8s.io", "v1", "gateways");
  for (size_t i = 0; i < 4; ++i) {
    auto& c = demo.clusters().cluster(i);
    INFO(c.name());
    CHECK(c.server_url().rfind("https://127.0.0.1:", 0) == 0);
    auto ns = c.data().get(core("namespaces"), "", "istio-system");
    REQUIRE(ns.object);
    CHECK(ns.object->labels.at("topology.istio.io/network") == networks[i]);
    // The network-2 clusters have an east-west gateway, the config cluster the istio-remote
    // gateway to network-2, cluster-2 none; each the kind ambientd reads.
    auto gws = list(c, gateways, "istio-system");
    REQUIRE(gws.size() == (i == 1 ? 0u : 1u));
    if (gws.empty())
      continue;
    auto gw = kube::decode_as<kube::gateway>(gws[0]->json);
    REQUIRE(std::holds_alternative<kube::gateway>(gw));
    const auto& g = std::get<kube::gateway>(gw);
    CHECK(g.gateway_class == (i == 0 ? "istio-remote" : "istio-east-west"));
    CHECK(kube::lookup(g.meta.labels, "topology.istio.io/network") == "network-2");
    REQUIRE(g.listeners.size() == 1);
    CHECK(g.listeners[0].protocol == "HBONE");
    CHECK(g.listeners[0].port == 15008);
    CHECK(g.listeners[0].tls_mode == (i == 0 ? "" : "Terminate"));
    REQUIRE(g.addresses.size() == 1);
    CHECK(g.addresses[0].type == "IPAddress");
    CHECK(g.addresses[0].value == (i == 0 ? "203.0.113.3" : "203.0.113." + std::to_string(i + 1)));
  }
  CHECK(demo.describe().size() == 5);
}

TEST_CASE("the demo fleet runs bookinfo in ambient in every cluster, with reviews spread out",
          "[sim][integration]") {
  scratch_dir dir;
  sim::demo_fleet demo{short_options(dir)};
  std::set<std::string> review_versions;
  size_t pods = 0;
  for (size_t i = 0; i < 4; ++i) {
    auto& c = demo.clusters().cluster(i);
    INFO(c.name());
    auto ns = c.data().get(core("namespaces"), "", "bookinfo");
    REQUIRE(ns.object);
    CHECK(ns.object->labels.at("istio.io/dataplane-mode") == "ambient");
    for (const auto& o : list(c, core("services"), "bookinfo")) {
      if (o->name == "waypoint")
        continue; // the config cluster's waypoint: see the waypoint test below
      auto svc = kube::decode_as<kube::service>(o->json);
      REQUIRE(std::holds_alternative<kube::service>(svc));
      bool global
          = kube::lookup(std::get<kube::service>(svc).meta.labels, "istio.io/global") == "true";
      CHECK(global == (o->name != "details"));
    }
    for (const auto& o : list(c, core("pods"), "bookinfo")) {
      auto decoded = kube::decode_as<kube::pod>(o->json);
      REQUIRE(std::holds_alternative<kube::pod>(decoded));
      const auto& p = std::get<kube::pod>(decoded);
      if (kube::lookup(p.meta.labels, "gateway.networking.k8s.io/gateway-name"))
        continue; // the waypoint's own pod is not captured
      CHECK(p.phase == "Running");
      CHECK(p.ready);
      CHECK(!p.pod_ips.empty());
      CHECK(kube::lookup(p.meta.annotations, "ambient.istio.io/redirection") == "enabled");
      if (kube::lookup(p.meta.labels, "app") == "reviews")
        review_versions.insert(std::string{*kube::lookup(p.meta.labels, "version")});
      ++pods;
    }
  }
  CHECK(pods == 11);
  CHECK(review_versions == std::set<std::string>{"v1", "v2", "v3"});
  CHECK(list(demo.clusters().cluster(0), core("services"), "bookinfo").size() == 5);
}

TEST_CASE("the demo config cluster bookinfo uses a waypoint for all its traffic",
          "[sim][integration]") {
  scratch_dir dir;
  sim::demo_fleet demo{short_options(dir)};
  auto& c = demo.clusters().cluster(0);
  auto ns = c.data().get(core("namespaces"), "", "bookinfo");
  REQUIRE(ns.object);
  CHECK(ns.object->labels.at("istio.io/use-waypoint") == "waypoint");
  const auto* gateways = sim::find_resource("gateway.networking.k8s.io", "v1", "gateways");
  auto gw = c.data().get(*gateways, "bookinfo", "waypoint");
  REQUIRE(gw.object);
  auto decoded = kube::decode_as<kube::gateway>(gw.object->json);
  REQUIRE(std::holds_alternative<kube::gateway>(decoded));
  const auto& g = std::get<kube::gateway>(decoded);
  CHECK(kube::lookup(g.meta.labels, "istio.io/waypoint-for") == "all");
  CHECK(g.gateway_class == "istio-waypoint");
  REQUIRE(g.addresses.size() == 1);
  CHECK(g.addresses[0].type == "Hostname");
  CHECK(g.addresses[0].value == "waypoint.bookinfo.svc.cluster.local");
  const auto* classes = sim::find_resource("gateway.networking.k8s.io", "v1", "gatewayclasses");
  CHECK(c.data().get(*classes, "", "istio-waypoint").object);
  size_t instances = 0;
  for (const auto& o : list(c, core("pods"), "bookinfo"))
    if (o->json.find("gateway.networking.k8s.io/gateway-name") != std::string::npos)
      ++instances;
  CHECK(instances == 1);
  // The other clusters' bookinfo has no waypoint.
  for (size_t i = 1; i < 4; ++i) {
    auto other = demo.clusters().cluster(i).data().get(core("namespaces"), "", "bookinfo");
    REQUIRE(other.object);
    CHECK(other.object->labels.count("istio.io/use-waypoint") == 0);
  }
}

TEST_CASE("the demo's config cluster has a selector-less legacy-db with a hand-written slice",
          "[sim][integration]") {
  scratch_dir dir;
  sim::demo_fleet demo{short_options(dir)};
  auto& config = demo.clusters().cluster(0);
  auto svc = config.data().get(core("services"), "demo", "legacy-db");
  REQUIRE(svc.object);
  auto decoded = kube::decode_as<kube::service>(svc.object->json);
  REQUIRE(std::holds_alternative<kube::service>(decoded));
  const auto& s = std::get<kube::service>(decoded);
  CHECK(s.selector.empty());
  REQUIRE(s.ports.size() == 1);
  CHECK(s.ports[0].name == "tcp-db");
  CHECK(s.ports[0].port == 5432);
  const auto& slices = *sim::find_resource("discovery.k8s.io", "v1", "endpointslices");
  auto items = list(config, slices, "demo");
  REQUIRE(items.size() == 1);
  CHECK(items[0]->labels.at("kubernetes.io/service-name") == "legacy-db");
  auto slice = kube::decode_as<kube::endpoint_slice>(items[0]->json);
  REQUIRE(std::holds_alternative<kube::endpoint_slice>(slice));
  const auto& es = std::get<kube::endpoint_slice>(slice);
  CHECK(es.address_type == "IPv4");
  REQUIRE(es.endpoints.size() == 2);
  CHECK(es.endpoints[0].ready);
  CHECK(!es.endpoints[1].ready);
  CHECK(items[0]->json.find("targetRef") == std::string::npos);
  for (const auto& e : es.endpoints) {
    CHECK(e.target_kind.empty());
    REQUIRE(e.addresses.size() == 1);
    CHECK(e.addresses[0].rfind("192.168.50.", 0) == 0);
  }
  REQUIRE(es.ports.size() == 1);
  CHECK(es.ports[0].name == "tcp-db");
  CHECK(es.ports[0].protocol == "TCP");
  // Only the config cluster has it.
  CHECK(demo.clusters().cluster(1).data().get(core("services"), "demo", "legacy-db").error);
}

TEST_CASE("the demo mesh config parses and makes istio.io/global services global",
          "[sim][integration]") {
  scratch_dir dir;
  sim::demo_fleet demo{short_options(dir)};
  std::ifstream in{demo.mesh_config_path()};
  std::string yaml{std::istreambuf_iterator<char>{in}, {}};
  auto parsed = mesh::parse_mesh_config(yaml);
  REQUIRE(std::holds_alternative<mesh::mesh_config>(parsed));
  const auto& config = std::get<mesh::mesh_config>(parsed);
  CHECK(config.cluster_id == demo.config_cluster_id());
  CHECK(config.network == "network-1");
  CHECK(mesh::scope_of(config, {}, {{"istio.io/global", "true"}}) == mesh::service_scope::global);
  CHECK(mesh::scope_of(config, {}, {{"app", "details"}}) == mesh::service_scope::local);
}

TEST_CASE("the demo's malformed remote secret is refused until the script fixes it",
          "[sim][integration]") {
  scratch_dir dir;
  sim::demo_fleet demo{short_options(dir)};
  const auto& bad = demo.malformed_secret_cluster();
  CHECK(bad == "cluster-3");
  auto secrets = list(demo.clusters().cluster(0), core("secrets"), "istio-system");
  CHECK(secrets.size() == 3);
  for (const auto& id : {"cluster-2", "cluster-4"})
    CHECK(refusal(remote_kubeconfig(demo, id), id).empty());
  CHECK_THAT(refusal(remote_kubeconfig(demo, bad), bad), Catch::Contains("plain http"));

  CHECK(demo.advance(99ms).empty());
  auto events = demo.advance(100ms);
  REQUIRE(events.size() == 1);
  CHECK(events[0].at == 100ms);
  CHECK_THAT(events[0].what, Catch::Contains("fixed"));
  CHECK(refusal(remote_kubeconfig(demo, bad), bad).empty());
  CHECK(remote_kubeconfig(demo, bad) == demo.clusters().find(bad)->kubeconfig());
}

TEST_CASE("the demo's outage cluster refuses connections during the outage and serves after",
          "[sim][integration]") {
  scratch_dir dir;
  sim::demo_fleet demo{short_options(dir)};
  auto& down = *demo.clusters().find(demo.outage_cluster());
  test::https_client client;
  client.ca_pem = down.ca_pem();
  client.token = down.token();
  const auto url = down.server_url() + "/api/v1/namespaces/bookinfo/pods";
  CHECK(client.request("GET", url).status == 200);

  REQUIRE(demo.advance(200ms).size() == 2); // the fix, then the outage
  CHECK(!down.is_up());
  auto refused = client.request("GET", url);
  CHECK(refused.status == 0);
  CHECK(!refused.error.empty());

  CHECK(demo.advance(399ms).empty());
  auto back = demo.advance(400ms);
  REQUIRE(back.size() == 1);
  CHECK_THAT(back[0].what, Catch::Contains("back"));
  CHECK(down.is_up());
  CHECK(client.request("GET", url).status == 200);
}

TEST_CASE("advance returns every demo step once, in time order", "[sim][integration]") {
  scratch_dir dir;
  auto opts = short_options(dir);
  opts.fix_secret_after = 300ms; // after the outage has started: the script is sorted
  sim::demo_fleet demo{opts};
  CHECK(!demo.script_done());
  CHECK(demo.advance(0ms).empty());
  auto all = demo.advance(10s);
  REQUIRE(all.size() == 3);
  CHECK(all[0].at == 200ms);
  CHECK(all[1].at == 300ms);
  CHECK(all[2].at == 400ms);
  CHECK_THAT(all[0].what, Catch::Contains("down"));
  CHECK_THAT(all[1].what, Catch::Contains("fixed"));
  CHECK_THAT(all[2].what, Catch::Contains("back"));
  CHECK(demo.script_done());
  CHECK(demo.advance(20s).empty());
}

TEST_CASE("the demo fleet refuses bad options with a message naming the problem",
          "[sim][integration]") {
  scratch_dir dir;
  auto file = dir.path / "not-a-dir";
  std::ofstream{file} << "x";
  auto opts = short_options(dir);
  opts.dir = (file / "demo").string();
  CHECK_THROWS_WITH(sim::demo_fleet{opts},
                    Catch::Contains("cannot create the directory") && Catch::Contains(opts.dir));
  opts.dir = file.string();
  CHECK_THROWS_WITH(sim::demo_fleet{opts}, Catch::Contains(file.string()));
  opts.dir.clear();
  CHECK_THROWS_AS(sim::demo_fleet{opts}, std::invalid_argument);

  opts = short_options(dir);
  opts.outage_length = 0ms;
  CHECK_THROWS_WITH(sim::demo_fleet{opts}, Catch::Contains("outage_length must be positive"));
  opts = short_options(dir);
  opts.fix_secret_after = -1ms;
  CHECK_THROWS_WITH(sim::demo_fleet{opts},
                    Catch::Contains("fix_secret_after must not be negative"));
}
