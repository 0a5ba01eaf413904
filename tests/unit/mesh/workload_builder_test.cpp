#include <catch2/catch.hpp>

#include <array>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "mesh/workload_builder.hpp"
#include "support/golden.hpp"
#include "support/mesh_builders.hpp"

using namespace ambient;
using namespace ambient::test;
using mesh::build_pod_workload;
namespace wl = istio::workload;

namespace {

/// One pod and what istiod would look up for it; each row adjusts it.
struct fixture {
  kube::pod pod = make_pod("web-0", "demo", "10.0.0.1", make_map({{"app", "web"}}));
  kube::namespace_ ns = make_namespace("demo");
  std::optional<kube::node> node = make_node("node-1", "us-east1", "us-east1-b", "rack-1");
  std::vector<kube::service> services;
  mesh::cluster_context ctx = [] {
    mesh::cluster_context c;
    c.cluster_id = "cluster-1";
    return c;
  }();

  std::optional<wl::Workload> build() const {
    mesh::workload_inputs in;
    in.ns = &ns;
    in.node = node ? &*node : nullptr;
    for (const auto& s : services)
      in.services.push_back(&s);
    return build_pod_workload(pod, in, ctx);
  }
};

/// A table row: a rule, how it changes the fixture, and what the workload must then show.
struct row {
  const char* rule;
  std::function<void(fixture&)> setup;
  std::function<void(const wl::Workload&)> check;
};

/// Builds each row's workload and runs its check; every row must produce a workload.
void run(const std::vector<row>& rows) {
  for (const auto& r : rows) {
    INFO("rule: " << r.rule);
    fixture f;
    r.setup(f);
    auto w = f.build();
    REQUIRE(w.has_value());
    r.check(*w);
  }
}

kube::owner_ref controller(std::string kind, std::string name) {
  return {std::move(kind), std::move(name), true};
}

} // namespace

TEST_CASE("a service selects pods of its namespace whose labels match its non-empty selector",
          "[mesh]") {
  auto pod = make_pod("web-0", "demo", "10.0.0.1", make_map({{"app", "web"}, {"tier", "fe"}}));
  struct {
    const char* rule;
    kube::service svc;
    bool selected;
  } rows[] = {
      {"every selector label matches", make_service("web", "demo", make_map({{"app", "web"}})),
       true},
      {"all of several labels match",
       make_service("web", "demo", make_map({{"app", "web"}, {"tier", "fe"}})), true},
      {"another namespace", make_service("web", "other", make_map({{"app", "web"}})), false},
      {"an empty selector selects nothing", make_service("web", "demo"), false},
      {"a label differs", make_service("web", "demo", make_map({{"app", "db"}})), false},
      {"a label is missing on the pod",
       make_service("web", "demo", make_map({{"app", "web"}, {"zone", "a"}})), false},
  };
  for (const auto& r : rows) {
    INFO("rule: " << r.rule);
    CHECK(mesh::selects(r.svc, pod) == r.selected);
  }
}

TEST_CASE("terminal pods, pods without an IP and pods with a bad IP build no workload", "[mesh]") {
  struct {
    const char* rule;
    std::string phase;
    std::vector<std::string> ips;
    bool built;
  } rows[] = {
      {"Running with an IP", "Running", {"10.0.0.1"}, true},
      {"Pending with an IP (istio#48854)", "Pending", {"10.0.0.1"}, true},
      {"Unknown with an IP", "Unknown", {"10.0.0.1"}, true},
      {"Failed is terminal", "Failed", {"10.0.0.1"}, false},
      {"Succeeded is terminal", "Succeeded", {"10.0.0.1"}, false},
      {"Running without an IP", "Running", {}, false},
      {"Pending without an IP", "Pending", {}, false},
      {"an IP that does not parse", "Running", {"10.0.0.300"}, false},
      {"one bad IP of two drops the pod", "Running", {"10.0.0.1", "fd00::zz"}, false},
  };
  for (const auto& r : rows) {
    INFO("rule: " << r.rule);
    fixture f;
    f.pod.phase = r.phase;
    f.pod.pod_ips = r.ips;
    f.pod.pod_ip = r.ips.empty() ? "" : r.ips.front();
    CHECK(f.build().has_value() == r.built);
  }
}

TEST_CASE("a terminating or unready pod is built as unhealthy", "[mesh]") {
  struct {
    const char* rule;
    bool ready, deleting;
    wl::WorkloadStatus status;
  } rows[] = {
      {"ready", true, false, wl::HEALTHY},
      {"not ready", false, false, wl::UNHEALTHY},
      {"ready but terminating", true, true, wl::UNHEALTHY},
  };
  for (const auto& r : rows) {
    INFO("rule: " << r.rule);
    fixture f;
    f.pod.ready = r.ready;
    f.pod.meta.deleting = r.deleting;
    auto w = f.build();
    REQUIRE(w);
    CHECK(w->status() == r.status);
  }
}

TEST_CASE("addresses hold every pod IP as 4 or 16 bytes in order", "[mesh]") {
  struct {
    const char* rule;
    std::string pod_ip;
    std::vector<std::string> pod_ips;
  } rows[] = {
      {"IPv4", "10.0.0.1", {"10.0.0.1"}},
      {"IPv6", "fd00::1", {"fd00::1"}},
      {"dual-stack", "10.0.0.1", {"10.0.0.1", "fd00::1"}},
      {"dual-stack, IPv6 first", "fd00::1", {"fd00::1", "10.0.0.1"}},
      {"only status.podIP", "10.0.0.9", {}},
  };
  for (const auto& r : rows) {
    INFO("rule: " << r.rule);
    fixture f;
    f.pod.pod_ip = r.pod_ip;
    f.pod.pod_ips = r.pod_ips;
    auto w = f.build();
    REQUIRE(w);
    auto expected = r.pod_ips.empty() ? std::vector<std::string>{r.pod_ip} : r.pod_ips;
    REQUIRE(w->addresses_size() == static_cast<int>(expected.size()));
    for (size_t i = 0; i < expected.size(); ++i)
      CHECK(w->addresses(static_cast<int>(i)) == *mesh::ip_bytes(expected[i]));
  }
}

TEST_CASE("the canonical name and revision fall back through istiod's label order", "[mesh]") {
  struct {
    const char* rule;
    kube::string_map labels;
    std::string name, revision;
  } rows[] = {
      {"canonical labels",
       make_map({{"service.istio.io/canonical-name", "cn"},
                 {"service.istio.io/canonical-revision", "cr"},
                 {"app", "a"},
                 {"version", "v"}}),
       "cn", "cr"},
      {"app.kubernetes.io labels",
       make_map(
           {{"app.kubernetes.io/name", "k8s"}, {"app.kubernetes.io/version", "2"}, {"app", "a"}}),
       "k8s", "2"},
      {"app and version", make_map({{"app", "a"}, {"version", "v1"}}), "a", "v1"},
      {"no labels: the workload name and latest", {}, "web-0", "latest"},
      {"a present empty label counts", make_map({{"app", ""}, {"version", ""}}), "", ""},
      {"the workload-name label feeds the fallback",
       make_map({{"service.istio.io/workload-name", "wn"}}), "wn", "latest"},
  };
  for (const auto& r : rows) {
    INFO("rule: " << r.rule);
    fixture f;
    f.pod.meta.labels = r.labels;
    auto w = f.build();
    REQUIRE(w);
    CHECK(w->canonical_name() == r.name);
    CHECK(w->canonical_revision() == r.revision);
  }
}

TEST_CASE("the workload name comes from the controller and the type is always POD", "[mesh]") {
  struct {
    const char* rule;
    std::vector<kube::owner_ref> owners;
    kube::string_map labels;
    std::string name;
  } rows[] = {
      {"no owner: the pod", {}, {}, "web-0"},
      {"ReplicaSet with pod-template-hash: the Deployment",
       {controller("ReplicaSet", "web-5d8f9c")},
       make_map({{"pod-template-hash", "5d8f9c"}}),
       "web"},
      {"ReplicaSet without the hash label",
       {controller("ReplicaSet", "web-5d8f9c")},
       {},
       "web-5d8f9c"},
      {"ReplicaSet whose name lacks the hash",
       {controller("ReplicaSet", "web-abc")},
       make_map({{"pod-template-hash", "5d8f9c"}}),
       "web-abc"},
      {"Argo Rollout",
       {controller("ReplicaSet", "web-77aa")},
       make_map({{"rollouts-pod-template-hash", "77aa"}}),
       "web"},
      {"DeploymentConfig",
       {controller("ReplicationController", "web-3")},
       make_map({{"deploymentconfig", "web"}}),
       "web"},
      {"StatefulSet", {controller("StatefulSet", "db")}, {}, "db"},
      {"DaemonSet", {controller("DaemonSet", "agent")}, {}, "agent"},
      {"Job", {controller("Job", "migrate")}, {}, "migrate"},
      {"Job of a CronJob", {controller("Job", "report-28930140")}, {}, "report"},
      {"Job with 11 trailing digits", {controller("Job", "x-12345678901")}, {}, "x-12345678901"},
      {"an owner that is not the controller",
       {{"ReplicaSet", "web-5d8f9c", false}},
       make_map({{"pod-template-hash", "5d8f9c"}}),
       "web-0"},
      {"the workload-name label wins",
       {controller("StatefulSet", "db")},
       make_map({{"service.istio.io/workload-name", "custom"}}),
       "custom"},
  };
  for (const auto& r : rows) {
    INFO("rule: " << r.rule);
    fixture f;
    f.pod.generate_name = "web-"; // made by a controller
    f.pod.owners = r.owners;
    f.pod.meta.labels = r.labels;
    auto w = f.build();
    REQUIRE(w);
    CHECK(w->workload_name() == r.name);
    CHECK(w->workload_type() == wl::POD);
  }
}

TEST_CASE("the owner names the workload only of a pod created with generateName", "[mesh]") {
  fixture f;
  f.pod.owners = {controller("ReplicaSet", "web-5d8f9c")};
  f.pod.meta.labels = make_map({{"pod-template-hash", "5d8f9c"}});
  CHECK(f.build()->workload_name() == "web-0"); // named by hand: the pod's name
  f.pod.generate_name = "web-5d8f9c-";
  CHECK(f.build()->workload_name() == "web");
  f.pod.generate_name.clear();
  f.pod.meta.labels = make_map({{"service.istio.io/workload-name", "custom"}});
  CHECK(f.build()->workload_name() == "custom"); // the label wins either way
}

TEST_CASE("service target ports resolve against the pod's TCP container ports", "[mesh]") {
  auto one_service = [](std::vector<kube::service_port> ports) {
    return [ports](fixture& f) {
      f.pod.ports = {make_container_port("http", 8080), make_container_port("dns", 53, "UDP"),
                     make_container_port("bare", 7070, "")};
      f.services = {make_service("web", "demo", make_map({{"app", "web"}}), ports)};
    };
  };
  auto ports_are = [](std::vector<std::pair<uint32_t, uint32_t>> expected) {
    return [expected](const wl::Workload& w) {
      REQUIRE(w.services().size() == 1);
      const auto& list = w.services().at("demo/web.demo.svc.cluster.local");
      REQUIRE(list.ports_size() == static_cast<int>(expected.size()));
      for (int i = 0; i < list.ports_size(); ++i) {
        CHECK(list.ports(i).service_port() == expected[static_cast<size_t>(i)].first);
        CHECK(list.ports(i).target_port() == expected[static_cast<size_t>(i)].second);
      }
    };
  };
  run({
      {"numeric", one_service({make_port(80, 8080)}), ports_are({{80, 8080}})},
      {"named, resolved", one_service({make_named_port(80, "http")}), ports_are({{80, 8080}})},
      {"named, unresolvable: the port is left out",
       one_service({make_named_port(80, "grpc"), make_port(81, 9090)}), ports_are({{81, 9090}})},
      {"named, only a UDP container port: left out", one_service({make_named_port(53, "dns")}),
       ports_are({})},
      {"named, container port without protocol counts as TCP",
       one_service({make_named_port(70, "bare")}), ports_are({{70, 7070}})},
      {"two ports of one number: the last one's names win",
       one_service({make_port(53, 5353, "a"), make_named_port(53, "http", "b")}),
       ports_are({{53, 8080}, {53, 8080}})},
      {"a service without ports", one_service({}), ports_are({})},
  });
}

TEST_CASE("services are keyed namespace/hostname and ExternalName services are skipped", "[mesh]") {
  fixture f;
  f.ctx.cluster_domain = "example.org";
  auto ext = make_service("ext", "demo", make_map({{"app", "web"}}), {make_port(80, 80)});
  ext.type = "ExternalName";
  f.services = {make_service("a", "demo", make_map({{"app", "web"}}), {make_port(80, 80)}),
                make_service("b", "demo", make_map({{"app", "web"}}), {make_port(90, 9090)}), ext};
  auto w = f.build();
  REQUIRE(w);
  REQUIRE(w->services().size() == 2);
  CHECK(w->services().at("demo/a.demo.svc.example.org").ports(0).target_port() == 80);
  CHECK(w->services().at("demo/b.demo.svc.example.org").ports(0).target_port() == 9090);
}

TEST_CASE("HBONE follows the CNI's redirection annotation or the tunnel label", "[mesh]") {
  auto label = [](std::string key, std::string value) {
    return [=](fixture& f) {
      set_label(f.pod.meta.labels, key, value);
    };
  };
  auto annotate = [](std::string value) {
    return [=](fixture& f) {
      set_label(f.pod.meta.annotations, "ambient.istio.io/redirection", value);
    };
  };
  auto expect = [](wl::TunnelProtocol tp, bool native) {
    return [=](const wl::Workload& w) {
      CHECK(w.tunnel_protocol() == tp);
      CHECK(w.native_tunnel() == native);
    };
  };
  run({
      {"redirection enabled", annotate("enabled"), expect(wl::HBONE, false)},
      {"redirection pending", annotate("pending"), expect(wl::NONE, false)},
      {"namespace labelled ambient, no annotation",
       [](fixture& f) { set_label(f.ns.meta.labels, "istio.io/dataplane-mode", "ambient"); },
       expect(wl::NONE, false)},
      {"pod labelled ambient, no annotation", label("istio.io/dataplane-mode", "ambient"),
       expect(wl::NONE, false)},
      {"pod opted out yet annotated: istiod trusts the annotation",
       [](fixture& f) {
         set_label(f.pod.meta.labels, "istio.io/dataplane-mode", "none");
         set_label(f.pod.meta.annotations, "ambient.istio.io/redirection", "enabled");
       },
       expect(wl::HBONE, false)},
      {"tunnel label http", label("networking.istio.io/tunnel", "http"), expect(wl::HBONE, true)},
      {"tunnel label list with http", label("networking.istio.io/tunnel", "h3,http"),
       expect(wl::HBONE, true)},
      {"tunnel label without http", label("networking.istio.io/tunnel", "h3"),
       expect(wl::NONE, false)},
      {"host network pod, no annotation", [](fixture& f) { f.pod.host_network = true; },
       [](const wl::Workload& w) {
         CHECK(w.tunnel_protocol() == wl::NONE);
         CHECK(w.network_mode() == wl::HOST_NETWORK);
       }},
  });
}

TEST_CASE("locality comes from the topology labels of the pod's node", "[mesh]") {
  auto locality_is = [](std::optional<std::array<std::string, 3>> expected) {
    return [=](const wl::Workload& w) {
      REQUIRE(w.has_locality() == expected.has_value());
      if (expected) {
        CHECK(w.locality().region() == (*expected)[0]);
        CHECK(w.locality().zone() == (*expected)[1]);
        CHECK(w.locality().subzone() == (*expected)[2]);
      }
    };
  };
  using parts = std::array<std::string, 3>;
  run({
      {"region, zone and subzone", [](fixture&) {},
       locality_is(parts{"us-east1", "us-east1-b", "rack-1"})},
      {"region only", [](fixture& f) { f.node = make_node("node-1", "eu"); },
       locality_is(parts{"eu", "", ""})},
      {"a node without topology labels", [](fixture& f) { f.node = make_node("node-1"); },
       locality_is(std::nullopt)},
      {"no node", [](fixture& f) { f.node.reset(); }, locality_is(std::nullopt)},
      {"a node that is not the pod's", [](fixture& f) { f.node = make_node("node-2", "eu"); },
       locality_is(std::nullopt)},
  });
}

TEST_CASE("identity comes from the cluster context and the pod", "[mesh]") {
  run({
      {"the default trust domain is left empty", [](fixture&) {},
       [](const wl::Workload& w) {
         CHECK(w.uid() == "cluster-1//Pod/demo/web-0");
         CHECK(w.cluster_id() == "cluster-1");
         CHECK(w.trust_domain().empty());
         CHECK(w.network().empty());
         CHECK(w.service_account() == "default");
         CHECK(w.node() == "node-1");
       }},
      {"another trust domain and network are sent",
       [](fixture& f) {
         f.ctx.trust_domain = "example.org";
         f.ctx.network = "network-2";
       },
       [](const wl::Workload& w) {
         CHECK(w.trust_domain() == "example.org");
         CHECK(w.network() == "network-2");
       }},
  });
}

TEST_CASE("a Deployment pod in ambient maps to the golden workload", "[mesh]") {
  fixture f;
  f.ctx.network = "network-1";
  f.pod = make_pod("web-7d4b9c-x2x8k", "demo", "10.0.0.5",
                   make_map({{"app", "web"}, {"version", "v1"}, {"pod-template-hash", "7d4b9c"}}));
  f.pod.service_account = "web";
  f.pod.owners = {controller("ReplicaSet", "web-7d4b9c")};
  f.pod.generate_name = "web-7d4b9c-";
  f.pod.meta.annotations = make_map({{"ambient.istio.io/redirection", "enabled"}});
  f.pod.ports = {make_container_port("http", 8080), make_container_port("metrics", 9090)};
  f.node = make_node("node-1", "us-east1", "us-east1-b");
  auto selector = make_map({{"app", "web"}});
  f.services = {
      make_service("web", "demo", selector, {make_named_port(80, "http"), make_port(9090, 9090)}),
      make_service("web-admin", "demo", selector,
                   {make_named_port(8443, "admin"), make_port(15000, 15000)})};
  auto w = f.build();
  REQUIRE(w);
  check_golden(*w, AMBIENT_MESH_GOLDEN_DIR, "pod_deployment_ambient");
}

TEST_CASE("an unready dual-stack StatefulSet pod maps to the golden workload", "[mesh]") {
  fixture f;
  f.ctx.cluster_id = "cluster-2";
  f.ctx.network = "network-2";
  f.ctx.trust_domain = "example.org";
  f.pod = make_pod(
      "db-0", "data", "10.1.0.7",
      make_map({{"app.kubernetes.io/name", "postgres"}, {"app.kubernetes.io/version", "16"}}));
  f.pod.pod_ips = {"10.1.0.7", "fd00:10:1::7"};
  f.pod.node_name = "node-2";
  f.pod.ready = false;
  f.pod.owners = {controller("StatefulSet", "db")};
  f.pod.generate_name = "db-";
  f.node.reset();
  f.services = {make_service("db", "data", make_map({{"app.kubernetes.io/name", "postgres"}}),
                             {make_port(5432, 5432)})};
  auto w = f.build();
  REQUIRE(w);
  check_golden(*w, AMBIENT_MESH_GOLDEN_DIR, "pod_statefulset_dual_stack");
}

TEST_CASE("a host-network CronJob pod with a native tunnel maps to the golden workload", "[mesh]") {
  fixture f;
  f.pod = make_pod("report-28930140-abcde", "batch", "192.168.0.9");
  f.pod.meta.labels = make_map({{"networking.istio.io/tunnel", "http"}});
  f.pod.phase = "Pending";
  f.pod.host_network = true;
  f.pod.service_account = "reporter";
  f.pod.owners = {controller("Job", "report-28930140")};
  f.pod.generate_name = "report-28930140-";
  f.node = make_node("node-1", "", "", "rack-7");
  auto w = f.build();
  REQUIRE(w);
  check_golden(*w, AMBIENT_MESH_GOLDEN_DIR, "pod_cronjob_host_network");
}
