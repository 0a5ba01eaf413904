// A delta ADS client, as ztunnel uses it, against the ambientd binary watching a kube-sim fleet:
// wildcard, on-demand keys, removals, ACK/NACK bookkeeping and a reconnect with
// initial_resource_versions, end to end.
#include <catch2/catch.hpp>

#include <map>
#include <set>

#include <grpcpp/grpcpp.h>

#include "envoy/service/discovery/v3/ads.grpc.pb.h"
#include "istio/workload/workload.pb.h"
#include "mesh/context.hpp"
#include "sim/workload.hpp"
#include "support/ambientd_harness.hpp"
#include "support/delta_client.hpp"

using namespace ambient;
using namespace std::chrono_literals;
using test::address_type;
using test::delta_client;

TEST_CASE("a delta ADS client follows ambientd's Address stream: wildcard, on-demand, removals, "
          "NACK and reconnect",
          "[interop]") {
  test::ambientd_harness h{2, "ambientd-delta-ads"};
  h.seed_remote(1, {2, 2, 4, 12, true});
  // Remote services are local by default (not in the view); this one is global.
  test::must_create(h.cluster(1), "services", "app-1",
                    sim::make_service_json("app-1", "front", {{"app", "svc-1"}}, "172.17.0.99",
                                           {{"http", 80, "8080"}}, std::chrono::system_clock::now(),
                                           {{"istio.io/global", "true"}}));
  h.start();
  auto total = h.ambientd->wait_log(
      std::regex{R"(merged view: clusters \[cluster-1,cluster-2\], (\d+) resources)"}, 30s);
  REQUIRE(total);

  // Wildcard: the whole view, every resource an Address that decodes (the 12 pods, the endpoint
  // of the config cluster's default/kubernetes, and the services).
  delta_client z{h.xds_target()};
  z.send({"*"});
  auto first = z.read();
  CHECK(first.resources_size() == std::stoi(*total));
  CHECK(first.removed_resources_size() == 0);
  size_t workloads = 0, services = 0;
  for (const auto& [name, a] : z.held) {
    workloads += a.has_workload();
    services += a.has_service();
  }
  CHECK(workloads == 13);
  CHECK(z.held.count("cluster-1/discovery.k8s.io/EndpointSlice/default/kubernetes/127.0.0.1") == 1);
  CHECK(services == 2); // front, and the config cluster's own default/kubernetes (local scope)
  for (const auto& res : first.resources()) // a wildcard session gets no aliases (istiod)
    CHECK(res.aliases_size() == 0);
  z.send({}, {}, first.nonce()); // ACK

  // A deleted pod comes back as a removal, and only that.
  auto victim = z.workload_named("svc-1-1");
  if (victim.empty()) // the seeding names pods <service>-<n>; take any held pod otherwise
    for (const auto& [name, a] : z.held)
      if (a.has_workload() && name.find("//Pod/") != std::string::npos) {
        victim = name;
        break;
      }
  REQUIRE(!victim.empty());
  const auto vw = z.held.at(victim).workload(); // a copy: the removal erases it
  test::must_remove(h.cluster(1), "pods", vw.namespace_(), vw.name());
  auto removal = z.read();
  CHECK(removal.resources_size() == 0);
  REQUIRE(removal.removed_resources_size() == 1);
  CHECK(removal.removed_resources(0) == victim);

  // A NACK is logged by ambientd, and later versions still flow.
  z.send({}, {}, removal.nonce(), "ztunnel could not apply it");
  REQUIRE(h.wait_log(
      R"(rejected type\.googleapis\.com/istio\.workload\.Address: ztunnel could not apply it)"));
  test::must_create_pod(h.cluster(1), "app-1", "late-pod", "10.4.9.9", {{"app", "svc-1"}});
  REQUIRE(z.read_until([&] { return !z.workload_named("late-pod").empty(); }));

  // On demand: a service key brings the service and its workloads; an alias ("network/ip")
  // resolves to the workload; an unknown key is reported removed.
  std::string service_key;
  for (const auto& [name, a] : z.held)
    if (a.has_service() && a.service().name() == "front")
      service_key = name;
  REQUIRE(!service_key.empty());
  auto late = z.workload_named("late-pod");
  delta_client od{h.xds_target()};
  od.send({"*"}); // ztunnel's on-demand mode: subscribe "*", then unsubscribe it, then keys
  od.send({}, {"*"});
  od.send({service_key, "/10.4.9.9", "no-such/thing"});
  std::set<std::string> removed;
  auto answered = [&] {
    return od.held.count(service_key) == 1 && od.held.count(late) == 1
           && removed.count("no-such/thing") == 1;
  };
  for (int i = 0; i < 5 && !answered(); ++i) {
    auto r = od.read();
    for (const auto& n : r.removed_resources())
      removed.insert(n);
    od.send({}, {}, r.nonce());
  }
  CHECK(answered());
  for (const auto& [n, a] : od.held) // nothing beyond the key's service and its workloads
    if (n != service_key)
      CHECK(a.workload().services().count(service_key) == 1);

  // An on-demand client whose node metadata names a node gets that node's workloads unasked,
  // with their aliases, and loses one that is deleted.
  std::string node;
  for (const auto& [name, a] : z.held)
    if (a.has_workload() && a.workload().cluster_id() == "cluster-2"
        && !a.workload().node().empty())
      node = a.workload().node();
  REQUIRE(!node.empty());
  std::set<std::string> on_node;
  for (const auto& [name, a] : z.held)
    if (a.has_workload() && a.workload().node() == node)
      on_node.insert(name);
  delta_client local{h.xds_target()};
  local.node_name = node;
  local.send({"*"}, {"*"}); // ztunnel's on-demand opening, in one request
  auto pushed = local.read();
  auto pushed_names = test::resource_names(pushed);
  CHECK(std::set<std::string>(pushed_names.begin(), pushed_names.end()) == on_node);
  for (const auto& res : pushed.resources()) // an on-demand session gets aliases (istiod)
    CHECK(res.aliases_size() > 0);
  local.send({}, {}, pushed.nonce());
  std::string leaving;
  for (const auto& name : on_node)
    if (z.held.at(name).workload().cluster_id() == "cluster-2"
        && z.held.at(name).workload().name() != "late-pod") // the reconnect below uses it
      leaving = name;
  REQUIRE(!leaving.empty());
  const auto lw = z.held.at(leaving).workload();
  test::must_remove(h.cluster(1), "pods", lw.namespace_(), lw.name());
  REQUIRE(local.read_until([&] { return local.held.count(leaving) == 0; }));
  REQUIRE(z.read_until([&] { return z.held.count(leaving) == 0; }));

  // Reconnect with what the wildcard client holds, plus a name that is gone and one with an
  // outdated version: only those two are answered.
  auto held = z.versions;
  z.ctx.TryCancel();
  auto stale_name = z.workload_named("late-pod");
  held[stale_name] = "0";
  held["cluster-2//Pod/gone/gone"] = "1";
  delta_client again{h.xds_target()};
  again.send({"*"}, {}, "", "", held);
  auto resync = again.read();
  CHECK(test::resource_names(resync) == std::vector<std::string>{stale_name});
  REQUIRE(resync.removed_resources_size() == 1);
  CHECK(resync.removed_resources(0) == "cluster-2//Pod/gone/gone");
  CHECK(h.ambientd->stop() == 0);
}
