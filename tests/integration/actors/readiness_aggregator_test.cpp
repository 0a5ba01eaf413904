#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <mutex>
#include <thread>

#include <caf/all.hpp>

#include "actors/cluster_store.hpp"
#include "actors/readiness_aggregator.hpp"
#include "actors/secret_watcher.hpp"
#include "messages/type_ids.hpp"
#include "sim/objects.hpp"
#include "sim/workload.hpp"
#include "support/actor_fixture.hpp"
#include "support/aggregator_fixture.hpp"
#include "support/eventually.hpp"
#include "support/secret_store_fixture.hpp"
#include "support/sim_fixture.hpp"
#include "support/sim_objects.hpp"

using namespace ambient;
using namespace std::chrono_literals;

TEST_CASE_METHOD(test::aggregator_fixture,
                 "a synced cluster is published, kept while stale and removed in one delta",
                 "[actors][integration]") {
  test::put_remote_secret(sim.cluster(0), "remote-2", sim.cluster(1));
  REQUIRE(eventually([&] { return out->count_prefix("cluster-2//Pod/") == 20; }));
  {
    std::lock_guard g{out->m};
    CHECK(out->versions_increase);
    // What a client decodes: a Workload of cluster-2, in ambient (HBONE). Its seeded services
    // are LOCAL, and a remote cluster's pods list only GLOBAL ones (istiod's per-cluster
    // service collection), so it lists none.
    auto it = std::find_if(out->view.begin(), out->view.end(), [](const auto& kv) {
      return kv.first.rfind("cluster-2//Pod/", 0) == 0;
    });
    REQUIRE(it != out->view.end());
    istio::workload::Address a;
    REQUIRE(a.ParseFromString(it->second));
    CHECK(a.workload().cluster_id() == "cluster-2");
    CHECK(a.workload().tunnel_protocol() == istio::workload::TunnelProtocol::HBONE);
    CHECK(a.workload().addresses_size() == 1);
    CHECK(a.workload().services_size() == 0);
  }
  // The API server goes away: the cluster is stale and its workloads stay (no black hole).
  size_t deltas_at_down = 0;
  {
    std::lock_guard g{out->m};
    deltas_at_down = out->deltas.size();
  }
  sim.cluster(1).down();
  REQUIRE(eventually([&] { return state_of("cluster-2") == fleet::lifecycle::stale; }));
  sim.cluster(1).up();
  REQUIRE(eventually([&] { return state_of("cluster-2") == fleet::lifecycle::synced; }));
  // A pod made after the resync arrives after everything the stale spell and the resync sent
  // (one remote_cluster, one aggregator: the order is kept), so once it is here, nothing of
  // cluster-2 was removed at any point since the API server went away.
  test::must_create_pod(sim.cluster(1), "app-1", "marker", "10.9.9.9", {{"app", "svc-1"}});
  REQUIRE(eventually([&] { return out->count_prefix("cluster-2//Pod/") == 21; }));
  {
    std::lock_guard g{out->m};
    for (size_t i = deltas_at_down; i < out->deltas.size(); ++i) {
      INFO("delta " << i);
      CHECK(out->deltas[i].second == 0);
    }
  }
  // The secret goes: every workload of the cluster leaves in a single delta.
  size_t deltas_before = 0;
  {
    std::lock_guard g{out->m};
    deltas_before = out->deltas.size();
  }
  sim.cluster(0).data().remove(*sim::find_resource("", "v1", "secrets"), "istio-system",
                               "remote-2");
  REQUIRE(eventually([&] { return out->count_prefix("cluster-2//") == 0; }));
  std::lock_guard g{out->m};
  REQUIRE(out->deltas.size() == deltas_before + 1);
  CHECK(out->deltas.back().second >= 20);
  CHECK(out->versions_increase);
}
