#include <catch2/catch.hpp>

#include <random>

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

#include "mesh/mesh_index.hpp"
#include "support/mesh_builders.hpp"
#include "support/mesh_index_helpers.hpp"

using namespace ambient;
using namespace ambient::mesh;
using ambient::test::bytes_of;
using ambient::test::make_map;
using ambient::test::make_namespace;
using ambient::test::make_node;
using ambient::test::make_pod;
using ambient::test::make_port;
using ambient::test::make_service;
using ambient::test::system_ns;

namespace {

kube::service global_service(std::string name, std::string ns, std::string ip) {
  auto s = make_service(std::move(name), std::move(ns), make_map({{"app", "web"}}),
                        {make_port(80, 8080)}, std::move(ip));
  s.meta.labels = make_map({{"istio.io/global", "true"}});
  return s;
}

/// Applies deltas to a map, as a client would.
struct client_view {
  std::map<std::string, std::string> bytes;
  void apply(const mesh_delta& d) {
    for (const auto& n : d.removed)
      bytes.erase(n);
    for (const auto& r : d.upserted)
      bytes[r->name] = r->bytes;
  }
};

} // namespace

TEST_CASE("a cluster enters the merged view only once synced, in one delta", "[mesh]") {
  mesh_index idx{test::index_config()};
  idx.upsert("cluster-1", 1, make_namespace("demo"));
  idx.upsert("cluster-1", 1, make_pod("web-0", "demo", "10.0.0.1", make_map({{"app", "web"}})));
  idx.upsert("cluster-1", 1,
             make_service("web", "demo", make_map({{"app", "web"}}), {make_port(80, 8080)}));
  CHECK(idx.take_delta().empty());
  idx.set_state("cluster-1", 1, fleet::lifecycle::syncing);
  idx.set_state("cluster-1", 1, fleet::lifecycle::timeout);
  CHECK(idx.take_delta().empty()); // a cluster that timed out is not admitted...
  idx.set_state("cluster-1", 1, fleet::lifecycle::synced);
  auto d = idx.take_delta(); // ...until it syncs (istio/istio#61339)
  CHECK(d.upserted.size() == 2);
  CHECK(idx.resources().contains("cluster-1//Pod/demo/web-0"));
  CHECK(idx.resources().contains("demo/web.demo.svc.cluster.local"));
  const auto& w = idx.resources().at("cluster-1//Pod/demo/web-0")->address.workload();
  REQUIRE(w.services().contains("demo/web.demo.svc.cluster.local"));
  CHECK(d.version == 1);
  CHECK(idx.take_delta().empty());
}

TEST_CASE("a stale cluster keeps its contribution and a withdrawn one leaves in one delta",
          "[mesh]") {
  mesh_index idx{test::index_config()};
  idx.upsert("cluster-2", 4, make_namespace("demo"));
  idx.upsert("cluster-2", 4, make_pod("a", "demo", "10.0.0.1"));
  idx.upsert("cluster-2", 4, make_pod("b", "demo", "10.0.0.2"));
  idx.set_state("cluster-2", 4, fleet::lifecycle::synced);
  REQUIRE(idx.take_delta().upserted.size() == 2);
  idx.set_state("cluster-2", 4, fleet::lifecycle::stale);
  CHECK(idx.take_delta().empty());
  CHECK(idx.resources().size() == 2);
  idx.withdraw("cluster-2", 4);
  auto d = idx.take_delta();
  CHECK(d.removed.size() == 2);
  CHECK(d.upserted.empty());
  CHECK(idx.resources().empty());
}

TEST_CASE("a cluster whose first sync lands as stale is admitted: every informer has listed",
          "[mesh]") {
  mesh_index idx{test::index_config()};
  idx.upsert("cluster-2", 1, make_namespace("demo"));
  idx.upsert("cluster-2", 1, make_pod("a", "demo", "10.0.0.1"));
  idx.set_state("cluster-2", 1, fleet::lifecycle::syncing);
  idx.set_state("cluster-2", 1, fleet::lifecycle::timeout);
  CHECK(idx.take_delta().empty()); // not listed yet: nothing visible
  idx.set_state("cluster-2", 1, fleet::lifecycle::stale);
  auto d = idx.take_delta();
  REQUIRE(d.upserted.size() == 1);
  CHECK(d.upserted[0]->name == "cluster-2//Pod/demo/a");
  idx.set_state("cluster-2", 1, fleet::lifecycle::synced); // healthy again: nothing new to send
  CHECK(idx.take_delta().empty());
}

TEST_CASE("a newer incarnation is swapped in whole when it syncs, never half", "[mesh]") {
  mesh_index idx{test::index_config()};
  idx.upsert("cluster-2", 1, make_namespace("demo"));
  idx.upsert("cluster-2", 1, make_pod("a", "demo", "10.0.0.1"));
  idx.upsert("cluster-2", 1, make_pod("b", "demo", "10.0.0.2"));
  idx.set_state("cluster-2", 1, fleet::lifecycle::synced);
  idx.take_delta();
  // Generation 2 (a rotated secret) lists: b moved, c is new, a is gone.
  idx.upsert("cluster-2", 2, make_namespace("demo"));
  idx.upsert("cluster-2", 2, make_pod("b", "demo", "10.0.0.22"));
  idx.upsert("cluster-2", 2, make_pod("c", "demo", "10.0.0.3"));
  CHECK(idx.take_delta().empty()); // still syncing: the old view stays whole
  idx.set_state("cluster-2", 2, fleet::lifecycle::failed);
  CHECK(idx.take_delta().empty());
  // Late events of the replaced incarnation are ignored once the new one is in.
  idx.set_state("cluster-2", 2, fleet::lifecycle::synced);
  auto d = idx.take_delta();
  CHECK(d.upserted.size() == 2);
  REQUIRE(d.removed.size() == 1);
  CHECK(d.removed[0] == "cluster-2//Pod/demo/a");
  idx.upsert("cluster-2", 1, make_pod("z", "demo", "10.0.0.9"));
  CHECK(idx.take_delta().empty());
}

TEST_CASE("remote services count only when global, and global copies merge their VIPs", "[mesh]") {
  mesh_index idx{test::index_config()};
  for (const auto* c : {"cluster-1", "cluster-2"}) {
    idx.upsert(c, 1, make_namespace("demo"));
    idx.set_state(c, 1, fleet::lifecycle::synced);
  }
  idx.upsert("cluster-2", 1,
             make_service("local-only", "demo", make_map({{"app", "x"}}), {make_port(80, 80)}));
  idx.upsert("cluster-1", 1, global_service("web", "demo", "10.96.0.10"));
  idx.upsert("cluster-2", 1, global_service("web", "demo", "10.97.0.10"));
  idx.take_delta();
  CHECK(!idx.resources().contains("demo/local-only.demo.svc.cluster.local"));
  const auto& svc = idx.resources().at("demo/web.demo.svc.cluster.local")->address.service();
  CHECK(svc.addresses_size() == 2);
  // Dropping the remote copy shrinks the merged service again.
  idx.remove("cluster-2", 1, kube::resource_kind::services, "demo/web");
  idx.take_delta();
  CHECK(idx.resources().at("demo/web.demo.svc.cluster.local")->address.service().addresses_size()
        == 1);
}

TEST_CASE("another network's endpoints of a global service become one split-horizon workload",
          "[mesh]") {
  mesh_index idx{test::index_config("net-1")};
  idx.upsert("cluster-1", 1, system_ns("net-1"));
  idx.upsert("cluster-2", 1, system_ns("net-2"));
  for (const auto* c : {"cluster-1", "cluster-2"}) {
    idx.upsert(c, 1, make_namespace("demo"));
    idx.upsert(c, 1, global_service("web", "demo", "10.96.0.10"));
  }
  for (int i = 0; i < 3; ++i)
    idx.upsert("cluster-2", 1,
               make_pod("r" + std::to_string(i), "demo", "10.2.0." + std::to_string(i + 1),
                        make_map({{"app", "web"}})));
  kube::gateway gw;
  gw.meta.namespace_ = "istio-system";
  gw.meta.name = "eastwest";
  gw.meta.labels = make_map({{"topology.istio.io/network", "net-2"}});
  gw.gateway_class = "istio-east-west";
  gw.listeners = {{"mesh", "HBONE", 15008, "Terminate"}};
  gw.addresses = {{"IPAddress", "172.18.0.20"}};
  idx.upsert("cluster-2", 1, gw);
  idx.set_state("cluster-1", 1, fleet::lifecycle::synced);
  idx.set_state("cluster-2", 1, fleet::lifecycle::synced);
  idx.take_delta();
  // The remote pods are not sent themselves; one workload stands for them, capacity 3.
  CHECK(!idx.resources().contains("cluster-2//Pod/demo/r0"));
  std::vector<const istio::workload::Workload*> sh;
  for (const auto& [n, r] : idx.resources())
    if (n.find("SplitHorizonWorkload") != std::string::npos)
      sh.push_back(&r->address.workload());
  REQUIRE(sh.size() == 1);
  CHECK(sh[0]->capacity().value() == 3);
  CHECK(sh[0]->addresses_size() == 0);
  CHECK(sh[0]->network() == "net-2");
  CHECK(sh[0]->has_network_gateway());
  // The merged service accepts the remote network's identities (SplitHorizonServices).
  const auto& svc = idx.resources().at("demo/web.demo.svc.cluster.local")->address.service();
  REQUIRE(svc.subject_alt_names_size() == 1);
  CHECK(svc.subject_alt_names(0) == "spiffe://cluster.local/ns/demo/sa/default");
  // One pod fewer: the capacity follows.
  idx.remove("cluster-2", 1, kube::resource_kind::pods, "demo/r0");
  auto d = idx.take_delta();
  REQUIRE(d.upserted.size() == 1); // the service's SANs did not change: only the capacity did
  CHECK(d.upserted[0]->address.workload().capacity().value() == 2);
}

TEST_CASE("applying every emitted delta equals a full recompute, for random event sequences",
          "[mesh]") {
  const std::vector<std::string> clusters{"cluster-1", "cluster-2", "cluster-3"};
  for (uint32_t seed = 1; seed <= 25; ++seed) {
    INFO("seed " << seed);
    std::mt19937 rng{seed};
    auto pick = [&](size_t n) {
      return static_cast<size_t>(rng() % n);
    };
    mesh_index idx{test::index_config(seed % 2 ? "net-1" : "")};
    client_view view;
    std::map<std::string, uint64_t> gen;
    for (const auto& c : clusters)
      gen[c] = 1;
    for (int step = 0; step < 300; ++step) {
      const auto& c = clusters[pick(clusters.size())];
      auto ns = "ns-" + std::to_string(pick(3));
      auto labels = make_map({{"app", "app-" + std::to_string(pick(3))}});
      switch (pick(15)) {
        case 0:
        case 1:
        case 2:
          idx.upsert(c, gen[c],
                     make_pod("p" + std::to_string(pick(8)), ns,
                              "10." + std::to_string(pick(3)) + ".0." + std::to_string(pick(200)),
                              labels));
          break;
        case 3:
          idx.remove(c, gen[c], kube::resource_kind::pods, ns + "/p" + std::to_string(pick(8)));
          break;
        case 4: {
          auto s = make_service("app-" + std::to_string(pick(3)), ns, labels, {make_port(80, 8080)},
                                "10.96." + std::to_string(pick(3)) + "." + std::to_string(pick(9)));
          if (pick(2))
            s.meta.labels = make_map({{"istio.io/global", "true"}});
          idx.upsert(c, gen[c], s);
          break;
        }
        case 5:
          idx.remove(c, gen[c], kube::resource_kind::services,
                     ns + "/app-" + std::to_string(pick(3)));
          break;
        case 6:
          idx.upsert(c, gen[c], make_namespace(ns));
          idx.upsert(c, gen[c], system_ns("net-" + std::to_string(1 + pick(2))));
          break;
        case 7:
          idx.upsert(c, gen[c], make_node("node-1", "region-" + std::to_string(pick(2))));
          break;
        case 8: {
          // Every state a remote_cluster reports, the unadmitted ones included.
          static constexpr fleet::lifecycle states[]
              = {fleet::lifecycle::synced,  fleet::lifecycle::synced,  fleet::lifecycle::stale,
                 fleet::lifecycle::syncing, fleet::lifecycle::timeout, fleet::lifecycle::failed};
          idx.set_state(c, gen[c], states[pick(std::size(states))]);
          break;
        }
        case 9:
          ++gen[c]; // a new incarnation starts listing
          break;
        case 10:
          if (pick(4) == 0)
            idx.withdraw(c, gen[c]++);
          break;
        case 11: {
          // A slice of a selected or a selector-less service: pods it names (by uid, sometimes
          // a stale one) and endpoints of its own.
          std::vector<kube::endpoint_slice::endpoint> eps;
          for (size_t i = 0, n = pick(4); i < n; ++i) {
            if (pick(2)) {
              auto e = ambient::test::pod_endpoint(
                  make_pod("p" + std::to_string(pick(8)), ns, "10.0.0." + std::to_string(pick(9))));
              if (pick(4) == 0)
                e.target_uid = "stale";
              eps.push_back(std::move(e));
            } else {
              eps.push_back(
                  ambient::test::make_endpoint("10.9.0." + std::to_string(pick(6)), pick(3) != 0));
            }
          }
          auto svc = (pick(2) ? "app-" : "legacy-") + std::to_string(pick(3));
          idx.upsert(c, gen[c],
                     ambient::test::make_slice(svc + "-s" + std::to_string(pick(2)), ns, svc,
                                               std::move(eps), pick(2) ? "" : "other"));
          break;
        }
        case 12:
          idx.remove(c, gen[c], kube::resource_kind::endpoint_slices,
                     ns + "/" + (pick(2) ? "app-" : "legacy-") + std::to_string(pick(3)) + "-s"
                         + std::to_string(pick(2)));
          break;
        case 13: {
          auto s = make_service("legacy-" + std::to_string(pick(3)), ns, {}, {make_port(80, 8080)},
                                "10.97." + std::to_string(pick(3)) + "." + std::to_string(pick(9)));
          if (pick(2))
            s.meta.labels = make_map({{"istio.io/global", "true"}});
          idx.upsert(c, gen[c], s);
          break;
        }
        default: {
          kube::gateway gw;
          gw.meta.namespace_ = "istio-system";
          gw.meta.name = "eastwest";
          gw.meta.labels
              = make_map({{"topology.istio.io/network", "net-" + std::to_string(1 + pick(2))}});
          // The config cluster's own may be an istio-remote one: its port reaches pods.
          gw.gateway_class = c == "cluster-1" && pick(2) ? "istio-remote" : "istio-east-west";
          gw.listeners = {{"mesh", "HBONE", 15008, "Terminate"}};
          gw.addresses = {{"IPAddress", "172.18.0." + std::to_string(pick(4))}};
          idx.upsert(c, gen[c], gw);
        }
      }
      if (pick(3) == 0)
        view.apply(idx.take_delta());
    }
    view.apply(idx.take_delta());
    CHECK(view.bytes == bytes_of(idx.resources()));
    CHECK(view.bytes == bytes_of(idx.recompute()));
  }
}

TEST_CASE("discovery selectors hide namespaces and a relabel brings them in and out", "[mesh]") {
  auto cfg = std::make_shared<mesh_config>();
  cfg->cluster_id = "cluster-1";
  auto sel = label_selector::make(make_map({{"istio-discovery", "enabled"}}), {}, "test");
  REQUIRE(std::holds_alternative<label_selector>(sel));
  cfg->discovery_selectors = {std::get<label_selector>(sel)};
  mesh_index idx{cfg};
  idx.upsert("cluster-1", 1, make_namespace("demo"));
  idx.upsert("cluster-1", 1, make_pod("a", "demo", "10.0.0.1"));
  idx.set_state("cluster-1", 1, fleet::lifecycle::synced);
  CHECK(idx.take_delta().empty()); // not selected
  idx.upsert("cluster-1", 1, make_namespace("demo", make_map({{"istio-discovery", "enabled"}})));
  auto in = idx.take_delta();
  REQUIRE(in.upserted.size() == 1);
  CHECK(in.upserted[0]->name == "cluster-1//Pod/demo/a");
  idx.upsert("cluster-1", 1, make_namespace("demo"));
  auto out = idx.take_delta();
  REQUIRE(out.removed.size() == 1);
  CHECK(out.removed[0] == "cluster-1//Pod/demo/a");
}

TEST_CASE("a pod's new IP re-sends its workload alone, and a resync sends nothing", "[mesh]") {
  mesh_index idx{test::index_config()};
  idx.upsert("cluster-1", 1, make_namespace("demo"));
  idx.upsert("cluster-1", 1,
             make_service("web", "demo", make_map({{"app", "web"}}), {make_port(80, 8080)}));
  for (const auto* name : {"web-0", "web-1"})
    idx.upsert("cluster-1", 1, make_pod(name, "demo", "10.0.0.1", make_map({{"app", "web"}})));
  idx.set_state("cluster-1", 1, fleet::lifecycle::synced);
  REQUIRE(idx.take_delta().upserted.size() == 3);
  auto before = idx.resources().at("cluster-1//Pod/demo/web-1");
  // The same pod again (an informer resync): nothing moves, the resource stays shared.
  idx.upsert("cluster-1", 1, make_pod("web-1", "demo", "10.0.0.1", make_map({{"app", "web"}})));
  CHECK(idx.take_delta().empty());
  CHECK(idx.resources().at("cluster-1//Pod/demo/web-1") == before);
  // A new IP: the workload only; the service's endpoints and identities did not change.
  idx.upsert("cluster-1", 1, make_pod("web-1", "demo", "10.0.0.2", make_map({{"app", "web"}})));
  auto d = idx.take_delta();
  REQUIRE(d.upserted.size() == 1);
  CHECK(d.upserted[0]->name == "cluster-1//Pod/demo/web-1");
  CHECK(d.upserted[0]->address.workload().addresses(0) == std::string("\x0a\x00\x00\x02", 4));
  // Leaving the service (a relabel) moves the pod's workload only: a service's resource does not
  // list its endpoints, and this cluster is in the local network.
  idx.upsert("cluster-1", 1, make_pod("web-1", "demo", "10.0.0.2", make_map({{"app", "db"}})));
  d = idx.take_delta();
  REQUIRE(d.upserted.size() == 1);
  CHECK(d.upserted[0]->address.workload().services().empty());
  idx.remove("cluster-1", 1, kube::resource_kind::pods, "demo/web-1");
  d = idx.take_delta();
  CHECK(d.upserted.empty());
  CHECK(d.removed == std::vector<std::string>{"cluster-1//Pod/demo/web-1"});
}

TEST_CASE("a resource's bytes are its Address serialized deterministically", "[mesh]") {
  istio::workload::Address a;
  auto* w = a.mutable_workload();
  w->set_uid("cluster-1//Pod/demo/web-0");
  w->add_addresses(std::string("\x0a\x00\x00\x01", 4));
  // Several services: map entries come out sorted by key, whatever the hash order.
  for (const auto* svc : {"demo/z.demo.svc.cluster.local", "demo/a.demo.svc.cluster.local",
                          "demo/m.demo.svc.cluster.local"})
    (*w->mutable_services())[svc].add_ports()->set_service_port(80);
  std::string expected;
  {
    google::protobuf::io::StringOutputStream stream{&expected};
    google::protobuf::io::CodedOutputStream coded{&stream};
    coded.SetSerializationDeterministic(true);
    a.SerializeToCodedStream(&coded);
  }
  auto r = make_resource("cluster-1//Pod/demo/web-0", a);
  CHECK(r->bytes == expected);
  CHECK(r->name == "cluster-1//Pod/demo/web-0");
  CHECK(r->address.workload().services_size() == 3);
  istio::workload::Address parsed;
  REQUIRE(parsed.ParseFromString(r->bytes));
  CHECK(parsed.workload().uid() == "cluster-1//Pod/demo/web-0");
}
