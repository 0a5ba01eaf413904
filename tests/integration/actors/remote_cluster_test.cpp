#include <catch2/catch.hpp>

#include <mutex>
#include <thread>
#include <vector>

#include <caf/all.hpp>

#include "actors/remote_cluster.hpp"
#include "messages/type_ids.hpp"
#include "sim/json.hpp"
#include "sim/resources.hpp"
#include "sim/workload.hpp"
#include "support/actor_fixture.hpp"
#include "support/eventually.hpp"
#include "support/informer_counters.hpp"
#include "support/sim_fixture.hpp"

using namespace ambient;
using namespace std::chrono_literals;

namespace {

struct recorded {
  std::mutex m;
  std::vector<fleet::lifecycle> states;
  std::string last_error;
  size_t batches = 0;
  std::map<kube::resource_kind, size_t> objects; // adds minus deletes, per kind
};

caf::behavior recorder(caf::event_based_actor*, std::shared_ptr<recorded> r) {
  return {
      [r](const messages::cluster_state_report& rep) {
        std::lock_guard g{r->m};
        r->states.push_back(rep.state);
        r->last_error = rep.last_error;
      },
      [r](const messages::cluster_batch& b) {
        std::lock_guard g{r->m};
        ++r->batches;
        for (const auto& c : b.batch->changes) {
          if (c.type == messages::object_change::added)
            ++r->objects[b.batch->kind];
          else if (c.type == messages::object_change::deleted)
            --r->objects[b.batch->kind];
        }
      },
  };
}

struct remote_cluster_fixture : test::live_actor_fixture {
  explicit remote_cluster_fixture(std::chrono::milliseconds bookmarks = 200ms)
    : sim{1, false, bookmarks} {
    sim::seed_workloads(sim.cluster().data(), 0, {2, 2, 4, 20, true});
  }
  test::sim_fixture sim;
  std::shared_ptr<kube::transport> transport = std::make_shared<kube::transport>();
  std::shared_ptr<recorded> rec = std::make_shared<recorded>();
  caf::actor parent = sys.spawn(recorder, rec);
  std::shared_ptr<recorded> sunk = std::make_shared<recorded>(); // what the sink sees
  caf::actor sink = sys.spawn(recorder, sunk);
  caf::actor cluster;
  /// The informers the cluster spawned, latest per resource. Shared with the spawn callback,
  /// which may still run while the fixture is torn down.
  struct spawned_informers {
    std::mutex m;
    std::map<kube::resource_kind, caf::actor> latest;
    size_t count = 0;
  };
  std::shared_ptr<spawned_informers> spawned = std::make_shared<spawned_informers>();

  ~remote_cluster_fixture() {
    caf::anon_send_exit(cluster, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(parent, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(sink, caf::exit_reason::user_shutdown);
  }

  /// How a crashed informer is restarted (a test may set it before start()).
  kube::backoff::params informer_restart;

  void start(std::chrono::milliseconds sync_timeout,
             std::chrono::milliseconds not_served_recheck = std::chrono::seconds{30}) {
    auto& c = sim.cluster();
    actors::remote_cluster_config rc;
    rc.cluster_id = c.name();
    rc.generation = 1;
    rc.settings = {c.server_url(), c.ca_pem(), false, {}, c.token(), {}, {}, {}};
    rc.transport = transport;
    rc.parent = parent;
    rc.sink = sink;
    rc.sync_timeout = sync_timeout;
    rc.reflector.retry.initial = 50ms;
    rc.reflector.retry.cap = 300ms;
    rc.reflector.not_served_recheck = not_served_recheck;
    rc.informer_restart = informer_restart;
    rc.informer_spawned = [log = spawned](kube::resource_kind kind, const caf::actor& informer) {
      std::lock_guard g{log->m};
      log->latest[kind] = informer;
      ++log->count;
    };
    cluster = sys.spawn(actors::remote_cluster_impl, rc);
  }

  /// The cluster's latest report is `s`, in the parent's mailbox and in the sink's: they are two
  /// mailboxes, and either may read its copy of a report later than the other.
  bool reaches(fleet::lifecycle s, std::chrono::milliseconds limit = 15s) {
    auto at = [s](recorded& r) {
      std::lock_guard g{r.m};
      return !r.states.empty() && r.states.back() == s;
    };
    return test::eventually([&] { return at(*rec) && at(*sunk); }, limit);
  }
};

} // namespace

TEST_CASE_METHOD(remote_cluster_fixture,
                 "a remote cluster syncs all its informers then reports synced",
                 "[actors][integration]") {
  start(30s);
  REQUIRE(reaches(fleet::lifecycle::synced));
  std::scoped_lock g{rec->m, sunk->m};
  CHECK(rec->states.front() == fleet::lifecycle::syncing);
  // The sink (the readiness aggregator) gets the same lifecycle, after the objects it covers.
  CHECK(sunk->states == rec->states);
  CHECK(rec->batches == 0);
  CHECK(sunk->objects[kube::resource_kind::pods] == 20);
  CHECK(sunk->objects[kube::resource_kind::services] == 5); // the 4 seeded, default/kubernetes
  CHECK(sunk->objects[kube::resource_kind::nodes] == 2);
  CHECK(sunk->objects[kube::resource_kind::namespaces] == 7);
}

TEST_CASE_METHOD(remote_cluster_fixture,
                 "an API server down before the first sync times out and a late sync is admitted",
                 "[actors][integration]") {
  sim.cluster().down();
  start(500ms);
  REQUIRE(reaches(fleet::lifecycle::timeout));
  {
    std::lock_guard g{rec->m};
    CHECK(!rec->last_error.empty());
  }
  sim.cluster().up();
  CHECK(reaches(fleet::lifecycle::synced));
}

TEST_CASE_METHOD(remote_cluster_fixture,
                 "an API server lost after sync makes the cluster stale until it returns",
                 "[actors][integration]") {
  start(30s);
  REQUIRE(reaches(fleet::lifecycle::synced));
  sim.cluster().down();
  REQUIRE(reaches(fleet::lifecycle::stale));
  sim.cluster().up();
  CHECK(reaches(fleet::lifecycle::synced));
}

/// Bookmarks every hour: after a reconnect, nothing but the watch's own headers says it is open.
struct quiet_remote_cluster_fixture : remote_cluster_fixture {
  quiet_remote_cluster_fixture() : remote_cluster_fixture(std::chrono::hours{1}) {}
};

TEST_CASE_METHOD(quiet_remote_cluster_fixture,
                 "a cluster whose API server returns is synced again without waiting for an event",
                 "[actors][integration]") {
  start(30s);
  REQUIRE(reaches(fleet::lifecycle::synced));
  const auto errors = [] {
    return test::informer_counter("ambientd_informer_errors_total", "cluster-1", "pods");
  };
  const double errors_before = errors();
  sim.cluster().down();
  REQUIRE(reaches(fleet::lifecycle::stale));
  // Several failed reconnects, counted: a client-go backoff would be long by now.
  for (int i = 0; i < 300 && errors() < errors_before + 3; ++i)
    std::this_thread::sleep_for(100ms);
  REQUIRE(errors() >= errors_before + 3);
  sim.cluster().up();
  // The informers reconnect within a second (connect_retry) and count as healthy once their
  // watches' headers arrive; before, they waited for the next event or bookmark (an hour here).
  CHECK(reaches(fleet::lifecycle::synced, 10s));
}

TEST_CASE_METHOD(remote_cluster_fixture, "stopping a remote cluster stops its informers",
                 "[actors][integration]") {
  start(30s);
  REQUIRE(reaches(fleet::lifecycle::synced));
  // Synced means every informer has listed; each opens its watch just after.
  bool all_open = false;
  for (int i = 0; i < 400 && !all_open; ++i) {
    all_open = sim.cluster().server().open_watches() == 6;
    if (!all_open)
      std::this_thread::sleep_for(50ms);
  }
  REQUIRE(all_open);
  CHECK(end_and_wait(cluster, caf::exit_reason::user_shutdown));
  bool closed = false;
  for (int i = 0; i < 400 && !closed; ++i) {
    std::this_thread::sleep_for(50ms);
    closed = sim.cluster().server().open_watches() == 0;
  }
  CHECK(closed);
}

TEST_CASE_METHOD(remote_cluster_fixture,
                 "a cluster without the Gateway API CRDs syncs, and its gateways come and go with "
                 "the CRDs",
                 "[actors][integration]") {
  auto& c = sim.cluster();
  auto gw = sim::parse_json(
      R"({"apiVersion":"gateway.networking.k8s.io/v1","kind":"Gateway","metadata":{)"
      R"("name":"eastwest","namespace":"istio-system"},"spec":{"gatewayClassName":"istio-east-west",)"
      R"("listeners":[{"name":"mesh","port":15008,"protocol":"HBONE"}]}})",
      nullptr);
  REQUIRE(gw);
  REQUIRE(!c.data()
               .create(*sim::find_resource("gateway.networking.k8s.io", "v1", "gateways"),
                       "istio-system", std::move(*gw))
               .error);
  c.faults().gateway_api_missing = true; // the gateways LIST is answered 404
  start(30s, 300ms);
  REQUIRE(reaches(fleet::lifecycle::synced, 10s));
  auto gateways = [&] {
    std::lock_guard g{sunk->m};
    return sunk->objects[kube::resource_kind::gateways];
  };
  CHECK(gateways() == 0);
  {
    std::lock_guard g{sunk->m};
    CHECK(sunk->objects[kube::resource_kind::pods] == 20);
  }
  // Installed: the next re-check lists the gateway.
  c.faults().gateway_api_missing = false;
  for (int i = 0; i < 400 && gateways() != 1; ++i)
    std::this_thread::sleep_for(50ms);
  CHECK(gateways() == 1);
  // Removed: the open watch ends, the watch and the relist get 404, and the gateway is deleted.
  c.faults().gateway_api_missing = true;
  c.cut_watches();
  for (int i = 0; i < 400 && gateways() != 0; ++i)
    std::this_thread::sleep_for(50ms);
  CHECK(gateways() == 0);
  // The watch's 404 makes the cluster stale until the relist's 404 counts the kind as empty; the
  // deletion and the health report travel on different paths, so wait for the state to settle.
  CHECK(reaches(fleet::lifecycle::synced, 10s));
}

TEST_CASE_METHOD(remote_cluster_fixture,
                 "an informer that crashes is restarted and reports what was deleted while it was "
                 "down",
                 "[actors][integration]") {
  // The crashed informer is restarted 3 s later, no sooner: the delete below surely happens
  // while nobody watches, so only the replacement's list (with its predecessor's keys) can
  // report it.
  informer_restart.initial = 3s;
  informer_restart.jitter = 0;
  start(30s);
  REQUIRE(reaches(fleet::lifecycle::synced));
  auto pods = [&] {
    std::lock_guard g{sunk->m};
    return sunk->objects[kube::resource_kind::pods];
  };
  REQUIRE(pods() == 20);
  caf::actor victim;
  {
    std::lock_guard g{spawned->m};
    REQUIRE(spawned->count == fleet::remote_cluster_resources().size());
    victim = spawned->latest[kube::resource_kind::pods];
  }
  // Kill the pods informer and wait until it is gone; its restart is at least 800 ms away.
  REQUIRE(end_and_wait(victim, caf::exit_reason::unhandled_exception)); // as a crash ends it
  // Meanwhile one pod is deleted and one added: nobody watches pods now.
  auto& c = sim.cluster();
  const auto& pod_type = *sim::find_resource("", "v1", "pods");
  auto listed = c.data().list(pod_type, {}, 0, {}).items;
  REQUIRE(listed.size() == 20);
  REQUIRE(!c.data().remove(pod_type, listed.front()->namespace_, listed.front()->name).error);
  {
    std::lock_guard g{spawned->m};
    REQUIRE(spawned->count == fleet::remote_cluster_resources().size()); // no replacement yet
  }
  // The new informer lists again. Without the keys its predecessor had sent it would add all 19
  // pods a second time and never delete the missing one (39 here); with them it reports the 19
  // as updates and the 20th as deleted.
  for (int i = 0; i < 300 && (pods() != 19); ++i)
    std::this_thread::sleep_for(50ms);
  CHECK(pods() == 19);
  // Nothing more arrives from that list: a pod made now comes over the new watch, after
  // everything the relist sent, and then the count is exactly one more.
  auto renamed = sim::parse_json(
      R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"marker","namespace":")"
          + listed.back()->namespace_ + R"("},"spec":{"containers":[{"name":"c","image":"x"}]},)"
          + R"("status":{"phase":"Running","podIP":"10.9.9.9","podIPs":[{"ip":"10.9.9.9"}]}})",
      nullptr);
  REQUIRE(renamed);
  REQUIRE(!c.data().create(pod_type, listed.back()->namespace_, *renamed).error);
  for (int i = 0; i < 300 && (pods() != 20); ++i)
    std::this_thread::sleep_for(50ms);
  CHECK(pods() == 20);
  {
    std::lock_guard g{spawned->m};
    CHECK(spawned->count == fleet::remote_cluster_resources().size() + 1);
  }
  CHECK(reaches(fleet::lifecycle::synced));
  // The cluster's status counts what the sink holds, not what the new informer listed.
  caf::scoped_actor asker{sys};
  int64_t counted = -1;
  asker->request(cluster, 5s, atom::status_v)
      .receive(
          [&](const messages::remote_cluster_status& st) {
            for (const auto& row : st.informers)
              if (row.resource == "pods")
                counted = row.objects;
          },
          [](const caf::error&) {});
  CHECK(counted == 20);
}
