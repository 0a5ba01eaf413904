// Bounded staleness (--stale-cluster-limit), through cluster_store, a real readiness aggregator
// and kube-sim: a remote cluster that cannot sync leaves the view once its data is older than the
// limit and comes back when it syncs again; without a limit it is served for as long as it lasts.
#include <catch2/catch.hpp>

#include <algorithm>

#include "support/aggregator_fixture.hpp"
#include "support/sim_objects.hpp"

using namespace ambient;
using namespace std::chrono_literals;

namespace {

/// The aggregator fixture with a stale-cluster limit of 2 s, and cluster-2's remote secret.
struct limited_fixture : test::aggregator_fixture {
  limited_fixture() : aggregator_fixture(2s) {}

  void put_secret() {
    test::put_remote_secret_data(sim.cluster(0), "remote-2",
                                 {{"cluster-2", sim.cluster(1).kubeconfig()}});
  }

  size_t pods() {
    return out->count_prefix("cluster-2//Pod/");
  }

  /// Whether one delta removed every pod of cluster-2 at once.
  bool one_delta_removed_all() {
    std::lock_guard g{out->m};
    return std::any_of(out->deltas.begin(), out->deltas.end(),
                       [](const auto& d) { return d.second >= 20; });
  }
};

} // namespace

TEST_CASE_METHOD(limited_fixture,
                 "a cluster with broken credentials is withdrawn after the stale limit and comes "
                 "back when they are fixed",
                 "[actors][integration]") {
  put_secret();
  REQUIRE(eventually([&] { return pods() == 20; }));
  const auto gen = row("cluster-2").generation;
  // The token is revoked and the open watches cut: every informer's next request gets 401.
  const auto broken_at = std::chrono::steady_clock::now();
  sim.cluster(1).revoke_token();
  sim.cluster(1).cut_watches();
  REQUIRE(eventually([&] { return state_of("cluster-2") == fleet::lifecycle::stale; }));
  REQUIRE(eventually([&] { return pods() == 0; }));
  // Not before the limit, all at once, and the row says why.
  CHECK(std::chrono::steady_clock::now() - broken_at >= 2s);
  CHECK(one_delta_removed_all());
  auto r = row("cluster-2");
  CHECK(r.suspended);
  REQUIRE(r.stale_for);
  CHECK(*r.stale_for >= 2s);
  CHECK(r.generation == gen);
  CHECK_FALSE(row("cluster-1").suspended); // the config cluster is untouched
  // The secret gets the new token: a new generation syncs and everything is back.
  put_secret();
  REQUIRE(eventually([&] { return pods() == 20; }));
  REQUIRE(eventually([&] { return state_of("cluster-2") == fleet::lifecycle::synced; }));
  r = row("cluster-2");
  CHECK(r.generation != gen);
  CHECK_FALSE(r.suspended);
  CHECK_FALSE(r.stale_for);
}

TEST_CASE_METHOD(limited_fixture,
                 "a cluster suspended while its API server is down is admitted again when it "
                 "returns",
                 "[actors][integration]") {
  put_secret();
  REQUIRE(eventually([&] { return pods() == 20; }));
  const auto gen = row("cluster-2").generation;
  sim.cluster(1).down();
  REQUIRE(eventually([&] { return pods() == 0; }));
  CHECK(row("cluster-2").suspended);
  // The same incarnation recovers its watches: its objects were kept, and come back.
  sim.cluster(1).up();
  REQUIRE(eventually([&] { return pods() == 20; }));
  REQUIRE(eventually([&] { return !row("cluster-2").suspended; }));
  auto r = row("cluster-2");
  CHECK(r.generation == gen);
  CHECK(r.state == fleet::lifecycle::synced);
  // And it stays in: a pod made now arrives as the 21st.
  test::must_create_pod(sim.cluster(1), "app-1", "marker", "10.9.9.9", {{"app", "svc-1"}});
  CHECK(eventually([&] { return pods() == 21; }));
}

TEST_CASE_METHOD(test::aggregator_fixture,
                 "without a stale limit a stale cluster is served while its data ages",
                 "[actors][integration]") {
  test::put_remote_secret(sim.cluster(0), "remote-2", sim.cluster(1));
  REQUIRE(eventually([&] { return out->count_prefix("cluster-2//Pod/") == 20; }));
  CHECK_FALSE(row("cluster-2").stale_for); // current
  sim.cluster(1).down();
  // The age grows past what a 2 s limit would allow, and the workloads stay.
  REQUIRE(eventually([&] {
    auto r = row("cluster-2");
    return r.stale_for && *r.stale_for >= 3s;
  }));
  auto r = row("cluster-2");
  CHECK_FALSE(r.suspended);
  CHECK(r.state == fleet::lifecycle::stale);
  CHECK(out->count_prefix("cluster-2//Pod/") == 20);
  sim.cluster(1).up();
  REQUIRE(eventually([&] { return state_of("cluster-2") == fleet::lifecycle::synced; }));
  CHECK_FALSE(row("cluster-2").stale_for);
}
