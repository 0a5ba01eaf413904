#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <random>
#include <set>
#include <thread>

#include <caf/all.hpp>

#include "actors/cluster_store.hpp"
#include "actors/secret_watcher.hpp"
#include "messages/type_ids.hpp"
#include "sim/objects.hpp"
#include "support/actor_fixture.hpp"
#include "support/eventually.hpp"
#include "support/secret_store_fixture.hpp"
#include "support/sim_fixture.hpp"
#include "support/sim_objects.hpp"

using namespace ambient;
using namespace std::chrono_literals;

namespace {

/// What the sink (the readiness aggregator's place) received.
struct sink_counts {
  std::atomic<size_t> batches{0};
  std::atomic<size_t> withdrawn{0};
};

/// Counts the batches remote clusters deliver and the withdrawals cluster_store sends. (It takes an
/// argument on purpose: spawning a function actor without arguments trips UBSan inside CAF 0.17's
/// spawn helper, a null shared_ptr<tuple<>> dereference.)
caf::behavior sink_actor(caf::event_based_actor*, std::shared_ptr<sink_counts> counts) {
  return {
      [counts](const messages::cluster_batch&) { ++counts->batches; },
      [](const messages::cluster_state_report&) {},
      [counts](const messages::cluster_withdrawn&) { ++counts->withdrawn; },
  };
}

/// cluster-1 is the config cluster holding the remote secrets; cluster-2 and cluster-3 are remote.
struct store_fixture : test::secret_store_fixture {
  std::shared_ptr<sink_counts> counts = std::make_shared<sink_counts>();
  caf::actor sink = sys.spawn(sink_actor, counts);
  /// The secret informers the watcher spawned, and the remote_clusters the store spawned. Shared
  /// with the spawn callbacks, which may still run while the fixture is torn down.
  struct spawned_actors {
    std::mutex m;
    std::vector<caf::actor> secret_informers;
    std::map<std::pair<std::string, uint64_t>, caf::actor> remote_clusters;
  };
  std::shared_ptr<spawned_actors> spawned = std::make_shared<spawned_actors>();

  store_fixture() : secret_store_fixture(3) {
    auto sc = store_config(sink);
    // A crashed cluster is restarted 4 s after it died, no sooner: the crash test sees the
    // failed state in between without racing a sub-second window.
    sc.restart_backoff.initial = 4s;
    sc.restart_backoff.jitter = 0;
    sc.cluster_spawned = [log = spawned](const std::string& id, uint64_t gen, const caf::actor& a) {
      std::lock_guard g{log->m};
      log->remote_clusters[{id, gen}] = a;
    };
    start(sc, [log = spawned](kube::resource_kind, const caf::actor& informer) {
      std::lock_guard g{log->m};
      log->secret_informers.push_back(informer);
    });
  }

  ~store_fixture() {
    stop_watcher_and_store();
    caf::anon_send_exit(sink, caf::exit_reason::user_shutdown);
  }

  /// Creates or replaces the remote secret `name` in cluster-1's istio-system.
  void put_secret(const std::string& name, const std::map<std::string, std::string>& data) {
    test::put_remote_secret_data(sim.cluster(0), name, data);
  }

  void delete_secret(const std::string& name) {
    sim.cluster(0).data().remove(*sim::find_resource("", "v1", "secrets"), "istio-system", name);
  }

  /// Actors alive in the system (the fixture's own scoped actors are gone when this is read).
  size_t live_actors() {
    return sys.registry().running();
  }

  size_t total_remote_watches() {
    return sim.cluster(1).server().open_watches() + sim.cluster(2).server().open_watches();
  }

  messages::cluster_store_status status() {
    caf::scoped_actor self{sys};
    messages::cluster_store_status out;
    self->request(store, 5s, atom::status_v)
        .receive([&](const messages::cluster_store_status& s) { out = s; },
                 [&](const caf::error& e) { FAIL(caf::to_string(e)); });
    return out;
  }

  std::optional<messages::cluster_status_row> row(const std::string& id) {
    for (auto& r : status().clusters)
      if (r.cluster_id == id)
        return r;
    return std::nullopt;
  }

  /// Waits until `pred` holds for the status (or 20 s pass).
  template <class Pred>
  bool eventually(Pred pred) {
    return test::eventually(pred);
  }

  /// Whether cluster `i` settles at `n` open watches: reached, then still so once a pod made
  /// afterwards has come through them as a batch (a count passing through `n` while one set of
  /// watches closes and another opens does not count).
  bool settles_at(size_t i, size_t n) {
    if (!eventually([&] { return sim.cluster(i).server().open_watches() == n; }))
      return false;
    const auto before = counts->batches.load();
    const auto k = std::to_string(++settled_);
    test::must_create_pod(sim.cluster(i), "default", "settle-" + k, "10.99.0." + k);
    return eventually([&] { return counts->batches.load() > before; })
           && sim.cluster(i).server().open_watches() == n;
  }
  int settled_ = 0;

  bool synced(const std::string& id) {
    auto r = row(id);
    return r && r->state == fleet::lifecycle::synced;
  }
};

} // namespace

TEST_CASE_METHOD(store_fixture,
                 "clusters from a remote secret sync and a deleted secret withdraws them",
                 "[actors][integration]") {
  put_secret("remote-a", {{"cluster-2", sim.cluster(1).kubeconfig()},
                          {"cluster-3", sim.cluster(2).kubeconfig()}});
  REQUIRE(eventually([&] { return synced("cluster-2") && synced("cluster-3"); }));
  CHECK(row("cluster-2")->sync_status == "synced");
  CHECK(counts->batches.load() > 0); // the clusters' objects reached the sink
  CHECK(row("cluster-2")->secret == "istio-system/remote-a");
  // Status shows every informer of a running cluster, and since when the cluster is synced.
  auto r2 = *row("cluster-2");
  REQUIRE(r2.informers.size() == 6);
  for (const auto& inf : r2.informers) {
    INFO(inf.resource);
    CHECK(inf.synced);
    CHECK(inf.healthy);
    CHECK(inf.objects >= 0);
  }
  auto ns_row = std::find_if(r2.informers.begin(), r2.informers.end(),
                             [](const auto& i) { return i.resource == "namespaces"; });
  REQUIRE(ns_row != r2.informers.end());
  CHECK(ns_row->objects > 0); // kube-sim starts with default, kube-system, istio-system
  CHECK(r2.since <= std::chrono::system_clock::now());
  CHECK(r2.since > std::chrono::system_clock::now() - 60s);
  sim.cluster(0).data().remove(*sim::find_resource("", "v1", "secrets"), "istio-system",
                               "remote-a");
  CHECK(eventually([&] { return status().clusters.empty(); }));
  CHECK(eventually([&] { return sim.cluster(1).server().open_watches() == 0; }));
  // The sink was told that both clusters left the mesh.
  CHECK(eventually([&] { return counts->withdrawn.load() == 2; }));
}

TEST_CASE_METHOD(store_fixture,
                 "a secret deleted while the secret informer was down still withdraws its "
                 "clusters",
                 "[actors][integration]") {
  put_secret("remote-a", {{"cluster-2", sim.cluster(1).kubeconfig()}});
  put_secret("remote-b", {{"cluster-3", sim.cluster(2).kubeconfig()}});
  REQUIRE(eventually([&] { return synced("cluster-2") && synced("cluster-3"); }));
  caf::actor victim;
  {
    std::lock_guard g{spawned->m};
    REQUIRE(spawned->secret_informers.size() == 1);
    victim = spawned->secret_informers.back();
  }
  auto gen3 = row("cluster-3")->generation;
  // The config cluster's API server goes away and the secret informer crashes; remote-a is
  // deleted before the replacement can list. The replacement knows remote-a from its predecessor
  // and must report it gone.
  sim.cluster(0).down();
  REQUIRE(end_and_wait(victim, caf::exit_reason::unhandled_exception)); // as a crash ends it
  delete_secret("remote-a");
  sim.cluster(0).up();
  CHECK(eventually([&] { return !row("cluster-2"); }));
  CHECK(eventually([&] { return sim.cluster(1).server().open_watches() == 0; }));
  CHECK(eventually([&] { return counts->withdrawn.load() == 1; }));
  // The other secret's cluster is untouched: the replacement's list re-reported remote-b
  // unchanged, which is no restart.
  auto r3 = row("cluster-3");
  REQUIRE(r3);
  CHECK(r3->state == fleet::lifecycle::synced);
  CHECK(r3->restarts == 0);
  CHECK(r3->generation == gen3);
  {
    std::lock_guard g{spawned->m};
    CHECK(spawned->secret_informers.size() == 2);
  }
}

TEST_CASE_METHOD(store_fixture,
                 "a remote cluster that crashes is restarted as a new generation and is not "
                 "withdrawn meanwhile",
                 "[actors][integration]") {
  put_secret("remote-a", {{"cluster-2", sim.cluster(1).kubeconfig()}});
  REQUIRE(eventually([&] { return synced("cluster-2"); }));
  auto gen = row("cluster-2")->generation;
  caf::actor victim;
  {
    std::lock_guard g{spawned->m};
    victim = spawned->remote_clusters[{"cluster-2", gen}];
  }
  REQUIRE(victim);
  REQUIRE(end_and_wait(victim, caf::exit_reason::unhandled_exception)); // as a crash ends it
  // Our down_msg may come before the store's (CAF notifies the newest monitor first), so poll:
  // until the restart, 4 s after the store's (the fixture's backoff), the cluster is failed with
  // the reason.
  std::optional<messages::cluster_status_row> r;
  for (int i = 0; i < 600; ++i) {
    r = row("cluster-2");
    if (!r || r->generation != gen || r->state == fleet::lifecycle::failed)
      break;
    std::this_thread::sleep_for(5ms);
  }
  REQUIRE(r);
  CHECK(r->generation == gen);
  CHECK(r->state == fleet::lifecycle::failed);
  CHECK(r->last_error.find("unhandled_exception") != std::string::npos);
  // Then a new generation syncs.
  CHECK(eventually([&] {
    auto now = row("cluster-2");
    return now && now->generation != gen && now->state == fleet::lifecycle::synced;
  }));
  CHECK(row("cluster-2")->restarts == 1);
  // The dead incarnation's informers died with it: one set of watches is open, and stays so
  // while the new one delivers.
  CHECK(settles_at(1, 6));
  // Its contribution was never withdrawn: the new generation's sync replaces it in one swap.
  CHECK(counts->withdrawn.load() == 0);
}

TEST_CASE_METHOD(
    store_fixture,
    "a malformed kubeconfig is stored as failed and fixing the secret syncs it (58047)",
    "[actors][integration]") {
  put_secret("remote-b", {{"cluster-2", "apiVersion: v1\nclusters: [unclosed"}});
  REQUIRE(eventually([&] {
    auto r = row("cluster-2");
    return r && r->state == fleet::lifecycle::failed;
  }));
  CHECK(row("cluster-2")->sync_status == "closed");
  CHECK(row("cluster-2")->last_error.find("cluster-2") != std::string::npos);
  put_secret("remote-b", {{"cluster-2", sim.cluster(1).kubeconfig()}});
  CHECK(eventually([&] { return synced("cluster-2"); }));
}

TEST_CASE_METHOD(store_fixture,
                 "rotating one cluster's credentials restarts only that cluster (61296 and 60612)",
                 "[actors][integration]") {
  // Three clusters in one secret ("mirror-1" reaches the config cluster's API server under
  // another ID, which is allowed).
  put_secret("remote-c", {{"cluster-2", sim.cluster(1).kubeconfig()},
                          {"cluster-3", sim.cluster(2).kubeconfig()},
                          {"mirror-1", sim.cluster(0).kubeconfig()}});
  REQUIRE(
      eventually([&] { return synced("cluster-2") && synced("cluster-3") && synced("mirror-1"); }));
  auto gen2 = row("cluster-2")->generation;
  auto gen3 = row("cluster-3")->generation;
  auto gen_m = row("mirror-1")->generation;
  sim.cluster(2).revoke_token(); // the old token stops working; the kubeconfig gets a new one
  put_secret("remote-c", {{"cluster-2", sim.cluster(1).kubeconfig()},
                          {"cluster-3", sim.cluster(2).kubeconfig()},
                          {"mirror-1", sim.cluster(0).kubeconfig()}});
  REQUIRE(eventually([&] { return row("cluster-3")->generation != gen3 && synced("cluster-3"); }));
  for (auto [id, gen] : {std::pair{"cluster-2", gen2}, std::pair{"mirror-1", gen_m}}) {
    INFO(id);
    CHECK(row(id)->generation == gen);
    CHECK(row(id)->restarts == 0);
    CHECK(synced(id));
  }
  // The old incarnation's transport client is gone: cluster-3 holds exactly one set of watches.
  CHECK(settles_at(2, 6));
}

TEST_CASE_METHOD(store_fixture,
                 "the config cluster's ID is ignored and a contested ID goes to the first secret",
                 "[actors][integration]") {
  put_secret("first", {{"cluster-2", sim.cluster(1).kubeconfig()},
                       {"cluster-1", sim.cluster(0).kubeconfig()}});
  REQUIRE(eventually([&] { return synced("cluster-2"); }));
  CHECK(!row("cluster-1"));
  put_secret("second", {{"cluster-2", sim.cluster(2).kubeconfig()}});
  REQUIRE(eventually([&] { return !status().conflicts.empty(); }));
  auto st = status();
  CHECK(st.conflicts[0].owner == "istio-system/first");
  CHECK(st.conflicts[0].claimant == "istio-system/second");
  CHECK(row("cluster-2")->secret == "istio-system/first");
}

TEST_CASE_METHOD(store_fixture,
                 "a storm of 500 secret updates converges to the final state and leaks no actor",
                 "[actors][integration]") {
  // Baseline: sink, store, secret watcher and its informer, once the watcher has synced.
  REQUIRE(eventually([&] { return sim.cluster(0).server().open_watches() == 1; }));
  auto baseline = live_actors();
  constexpr int secrets = 50;
  constexpr int updates = 500;
  auto name = [](int i) {
    return "storm-" + std::to_string(i);
  };
  auto id = [](int i) {
    return "storm-c" + std::to_string(i);
  };
  auto valid = [&](int i, int revision) {
    // A comment changes the kubeconfig's hash, so every valid update is a restart.
    return sim.cluster(1 + i % 2).kubeconfig() + "# revision " + std::to_string(revision) + "\n";
  };
  std::mt19937 rng{20261127};
  std::set<int> present;
  auto started = std::chrono::steady_clock::now();
  for (int u = 0; u < updates; ++u) {
    int i = u % secrets;
    switch (rng() % 4) {
      case 0:
        put_secret(name(i), {{id(i), "apiVersion: v1\nclusters: [broken " + std::to_string(u)}});
        present.insert(i);
        break;
      case 1:
        if (present.erase(i))
          delete_secret(name(i));
        break;
      default:
        put_secret(name(i), {{id(i), valid(i, u)}});
        present.insert(i);
    }
    std::this_thread::sleep_until(started + std::chrono::milliseconds{20 * (u + 1)});
  }
  // The final word: the first 40 secrets hold a good kubeconfig, the last 10 are gone.
  for (int i = 0; i < secrets; ++i) {
    if (i < 40)
      put_secret(name(i), {{id(i), valid(i, updates + i)}});
    else if (present.erase(i))
      delete_secret(name(i));
  }
  REQUIRE(eventually([&] {
    auto st = status();
    if (st.clusters.size() != 40 || !st.conflicts.empty())
      return false;
    return std::all_of(st.clusters.begin(), st.clusters.end(),
                       [](const auto& r) { return r.state == fleet::lifecycle::synced; });
  }));
  for (int i = 0; i < 40; ++i)
    CHECK(row(id(i))->secret == "istio-system/" + name(i));
  // Exactly one incarnation per cluster is alive: a remote_cluster and its six informers, each
  // holding one watch.
  CHECK(eventually([&] { return live_actors() == baseline + 40 * 7; }));
  CHECK(eventually([&] { return total_remote_watches() == 40 * 6; }));
  INFO("live actors " << live_actors() << ", baseline " << baseline);
  for (int i = 0; i < 40; ++i)
    delete_secret(name(i));
  CHECK(eventually([&] { return status().clusters.empty(); }));
  CHECK(eventually([&] { return live_actors() == baseline; }));
  CHECK(eventually([&] { return total_remote_watches() == 0; }));
}
