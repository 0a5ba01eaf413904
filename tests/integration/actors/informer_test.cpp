#include <catch2/catch.hpp>

#include <map>
#include <mutex>
#include <regex>
#include <thread>

#include <caf/all.hpp>

#include "actors/informer.hpp"
#include "messages/type_ids.hpp"
#include "sim/json.hpp"
#include "sim/workload.hpp"
#include "support/actor_fixture.hpp"
#include "support/eventually.hpp"
#include "support/informer_counters.hpp"
#include "support/sim_fixture.hpp"

using namespace ambient;
using namespace std::chrono_literals;

namespace {

/// What the informer's parent saw: the handler stream replayed into a cache, and every
/// impossible transition (add of a known key, update or delete of an unknown one) counted.
struct observed {
  std::mutex m;
  std::map<std::string, std::string> cache; // key → resourceVersion
  int violations = 0;
  bool synced = false;
  bool healthy = false;
  std::string last_error;
  messages::informer_stats stats;
  actors::informer_keys keys; ///< what a parent keeps to seed a restarted informer
};

caf::behavior collector(caf::event_based_actor*, std::shared_ptr<observed> o) {
  return {
      [o](const messages::informer_batch_ptr& b) {
        std::lock_guard g{o->m};
        o->keys.apply(*b);
        for (const auto& c : b->changes) {
          bool known = o->cache.contains(c.key);
          switch (c.type) {
            case messages::object_change::added:
              o->violations += known;
              o->cache[c.key] = c.resource_version;
              break;
            case messages::object_change::modified:
              o->violations += !known;
              o->cache[c.key] = c.resource_version;
              break;
            case messages::object_change::deleted:
              o->violations += !known;
              o->cache.erase(c.key);
              break;
          }
          if (c.type != messages::object_change::deleted && !c.object)
            ++o->violations;
        }
      },
      [o](const messages::informer_health& h) {
        std::lock_guard g{o->m};
        o->synced = h.synced;
        o->healthy = h.healthy;
        o->last_error = h.last_error;
        o->stats = h.stats;
      },
  };
}

/// The server's truth: key → resourceVersion of every pod.
std::map<std::string, std::string> truth(sim::sim_cluster& c) {
  std::map<std::string, std::string> out;
  for (const auto& o : c.data().list(*sim::find_resource("", "v1", "pods"), {}, 0, {}).items)
    out[o->namespace_ + "/" + o->name] = std::to_string(o->resource_version);
  return out;
}

struct informer_fixture : test::live_actor_fixture {
  test::sim_fixture sim;
  std::shared_ptr<kube::transport> transport = std::make_shared<kube::transport>();
  std::shared_ptr<observed> seen = std::make_shared<observed>();
  caf::actor parent;
  caf::actor informer;
  sim::seeded_cluster seed;

  explicit informer_fixture(size_t max_object_bytes = 1u << 20,
                            std::chrono::milliseconds idle_timeout = 2s) {
    seed = sim::seed_workloads(sim.cluster().data(), 0, {2, 2, 5, 40, true});
    parent = sys.spawn(collector, seen);
    auto& c = sim.cluster();
    kube::connection_settings s{c.server_url(), c.ca_pem(), false, {}, c.token(), {}, {}, {}};
    actors::informer_config ic;
    ic.kind = kube::resource_kind::pods;
    ic.cluster_id = c.name();
    ic.transport = transport;
    ic.client = transport->add_client(s);
    ic.parent = parent;
    ic.reflector.idle_timeout = idle_timeout;
    ic.reflector.retry.initial = 50ms;
    ic.reflector.retry.cap = 400ms;
    ic.liveness_interval = 200ms;
    ic.limits.max_object_bytes = max_object_bytes;
    informer = sys.spawn(actors::informer_impl, ic);
  }

  /// Ends the informer as a crash would and waits until it is gone.
  void crash_informer() {
    REQUIRE(end_and_wait(informer, caf::exit_reason::unhandled_exception));
  }

  /// Starts an informer in place of a crashed one, seeded as its parent would seed it.
  void resume(std::vector<std::string> keys, std::string resource_version, size_t page_size = 500) {
    auto& c = sim.cluster();
    actors::informer_config ic;
    ic.kind = kube::resource_kind::pods;
    ic.cluster_id = c.name();
    ic.transport = transport;
    ic.client = transport->add_client(sim.settings());
    ic.parent = parent;
    ic.reflector.retry.initial = 50ms;
    ic.reflector.retry.cap = 400ms;
    ic.liveness_interval = 200ms;
    ic.known_keys = std::move(keys);
    ic.known_resource_version = std::move(resource_version);
    ic.reflector.page_size = page_size;
    informer = sys.spawn(actors::informer_impl, ic);
  }

  /// What the parent keeps to seed a restarted informer, and the version it names.
  std::pair<actors::informer_keys, std::string> kept_keys() {
    std::lock_guard g{seen->m};
    return {seen->keys, seen->keys.resource_version()};
  }

  ~informer_fixture() {
    caf::anon_send_exit(informer, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(parent, caf::exit_reason::user_shutdown);
  }

  /// Waits until the replayed cache equals the server's pods (or 20 s pass).
  bool converged() {
    for (int i = 0; i < 400; ++i) {
      {
        std::lock_guard g{seen->m};
        if (seen->synced && seen->cache == truth(sim.cluster()))
          return true;
      }
      std::this_thread::sleep_for(50ms);
    }
    return false;
  }

  void churn(int n) {
    sim::churn_driver d{sim.cluster().data(), seed, static_cast<uint64_t>(n)};
    for (int i = 0; i < n; ++i)
      d.step();
  }
};

} // namespace

TEST_CASE_METHOD(informer_fixture, "an informer syncs and follows changes exactly",
                 "[actors][integration]") {
  REQUIRE(converged());
  churn(50);
  REQUIRE(converged());
  std::lock_guard g{seen->m};
  CHECK(seen->violations == 0);
  CHECK(seen->healthy);
}

namespace {

/// One of the pods informer's counters in the process-wide registry.
double pods_counter(const informer_fixture& fx, const char* name) {
  return test::informer_counter(name, fx.sim.fleet->cluster(0).name(), "pods");
}

using test::eventually;

} // namespace

TEST_CASE_METHOD(informer_fixture, "an informer converges after every fault in kube-sim's menu",
                 "[actors][integration]") {
  REQUIRE(converged());
  auto& c = sim.cluster();
  auto& f = c.faults();
  // Each fault is shown to have hit (its counter spent, the informer's own counters moved)
  // before it is lifted, so the convergence below is convergence after that fault.
  const auto relists = [&] {
    return pods_counter(*this, "ambientd_informer_relists_total");
  };
  const auto errors = [&] {
    return pods_counter(*this, "ambientd_informer_errors_total");
  };
  const double relists_before = relists();
  const double errors_before = errors();
  SECTION("API server down and back") {
    c.down();
    churn(20);
    CHECK(eventually([&] {
      std::lock_guard g{seen->m};
      return !seen->healthy;
    }));
    c.up();
  }
  SECTION("requests fail with 500 and 429") {
    f.fail_code = 500;
    f.fail_next = 3;
    c.cut_watches();
    churn(10);
    CHECK(eventually([&] { return f.fail_next.load() == 0 && errors() >= errors_before + 3; }));
    f.fail_code = 429;
    f.fail_next = 3;
    c.cut_watches();
    churn(10);
    CHECK(eventually([&] { return f.fail_next.load() == 0 && errors() >= errors_before + 6; }));
  }
  SECTION("stalled watch is declared dead and replaced") {
    f.stall_watches = true;
    churn(20);
    // Replaced by a relist at its version, not resumed: a watch from a version the server has
    // not reached (a cluster restored from a backup) would stay silent for ever. The stall is
    // lifted only once the relist happened, so nothing else can have revived the watch.
    CHECK(eventually([&] { return relists() >= relists_before + 1; }));
    f.stall_watches = false;
  }
  SECTION("cut watches") {
    for (int i = 0; i < 3; ++i) {
      churn(10);
      c.cut_watches();
    }
  }
  SECTION("the next watch expires, and history compacted under a cut watch") {
    f.expire_next_watches = 1;
    c.cut_watches();
    churn(10);
    CHECK(eventually(
        [&] { return f.expire_next_watches.load() == 0 && relists() >= relists_before + 1; }));
    // That relist done and its watch open again (a watch opened only after the compaction
    // below would start from the new history and see no 410)...
    REQUIRE(converged());
    CHECK(eventually([&] { return c.server().open_watches() == 1; }));
    // ...the churn is held back from the watch and then compacted away, so the cut watch resumes
    // from a version older than the history: 410, and a relist.
    f.stall_watches = true;
    churn(10);
    c.compact();
    c.cut_watches();
    f.stall_watches = false;
    CHECK(eventually([&] { return relists() >= relists_before + 2; }));
  }
  SECTION("a malformed event") {
    f.malformed_next_events = 1;
    churn(20);
    CHECK(eventually(
        [&] { return f.malformed_next_events.load() == 0 && relists() >= relists_before + 1; }));
  }
  SECTION("latency") {
    f.latency_ms = 100;
    c.cut_watches();
    churn(20);
  }
  churn(5);
  REQUIRE(converged());
  std::lock_guard g{seen->m};
  CHECK(seen->violations == 0);
}

namespace {
/// An informer with client-go's idle timeout, so only the malformed event itself can restart it.
struct patient_informer_fixture : informer_fixture {
  patient_informer_fixture() : informer_fixture(1u << 20, 150s) {}
};
} // namespace

TEST_CASE_METHOD(patient_informer_fixture,
                 "a malformed watch event restarts the watch at once, not after the idle timeout",
                 "[actors][integration]") {
  REQUIRE(converged());
  const double relists_before = pods_counter(*this, "ambientd_informer_relists_total");
  sim.cluster().faults().malformed_next_events = 1;
  churn(20); // the first of these events is sent malformed; converged() waits at most 20 s
  REQUIRE(converged());
  CHECK(sim.cluster().faults().malformed_next_events.load() == 0);
  CHECK(pods_counter(*this, "ambientd_informer_relists_total") >= relists_before + 1);
  std::lock_guard g{seen->m};
  CHECK(seen->violations == 0);
}

TEST_CASE_METHOD(informer_fixture, "rejected credentials degrade the informer without killing it",
                 "[actors][integration]") {
  REQUIRE(converged());
  sim.cluster().revoke_token();
  sim.cluster().cut_watches();
  bool degraded = false;
  for (int i = 0; i < 200 && !degraded; ++i) {
    std::this_thread::sleep_for(50ms);
    std::lock_guard g{seen->m};
    degraded = !seen->healthy && seen->last_error.find("unauthorized") != std::string::npos;
  }
  CHECK(degraded);
  // Still alive: it keeps retrying, and only a live informer counts its failures.
  caf::scoped_actor probe{sys};
  probe->monitor(informer);
  const double errors_then = pods_counter(*this, "ambientd_informer_errors_total");
  CHECK(eventually(
      [&] { return pods_counter(*this, "ambientd_informer_errors_total") >= errors_then + 2; }));
  bool died = false;
  probe->receive([&](const caf::down_msg&) { died = true; }, caf::after(0ms) >> [] {});
  CHECK(!died);
}

namespace {

struct small_limit_fixture : informer_fixture {
  small_limit_fixture() : informer_fixture(16 * 1024) {}
};

} // namespace

TEST_CASE_METHOD(small_limit_fixture,
                 "an object over the size limit is dropped and counted and the rest converges",
                 "[actors][integration]") {
  REQUIRE(converged());
  const double decode_errors_before = pods_counter(*this, "ambientd_informer_decode_errors_total");
  const auto& pods = *sim::find_resource("", "v1", "pods");
  auto& store = sim.cluster().data();
  auto current = store.get(pods, "app-1", "svc-1-5d8f7c9b4-0");
  REQUIRE(current.object);
  auto big = *sim::parse_json(current.object->json, nullptr);
  big["metadata"]["annotations"]["blob"] = std::string(20'000, 'x');
  REQUIRE(!store.update(pods, "app-1", "svc-1-5d8f7c9b4-0", std::move(big)).error);
  churn(5);
  // Everything but the oversized pod is cached; the oversized one was withdrawn (it was known).
  bool done = false;
  for (int i = 0; i < 200 && !done; ++i) {
    std::this_thread::sleep_for(50ms);
    auto want = truth(sim.cluster());
    want.erase("app-1/svc-1-5d8f7c9b4-0");
    std::lock_guard g{seen->m};
    done = seen->cache == want;
  }
  CHECK(done);
  CHECK(pods_counter(*this, "ambientd_informer_decode_errors_total")
        >= decode_errors_before + 1); // counted
  // A later version within the limit comes back as an add.
  auto small = store.get(pods, "app-1", "svc-1-5d8f7c9b4-0");
  REQUIRE(small.object);
  auto fixed = *sim::parse_json(small.object->json, nullptr);
  fixed["metadata"]["annotations"].erase("blob");
  REQUIRE(!store.update(pods, "app-1", "svc-1-5d8f7c9b4-0", std::move(fixed)).error);
  REQUIRE(converged());
  std::lock_guard g{seen->m};
  CHECK(seen->violations == 0);
}

TEST_CASE_METHOD(informer_fixture,
                 "a parent's keys name the version its informer reached, and an informer resumed "
                 "from them reports only what changed meanwhile",
                 "[actors][integration]") {
  REQUIRE(converged());
  churn(40);
  REQUIRE(converged());
  actors::informer_keys kept;
  {
    std::lock_guard g{seen->m};
    kept = seen->keys;
  }
  // The version is the last pod event's (or the list's), not "0": at least the newest pod's
  // version and at most the store's.
  REQUIRE(!kept.resource_version().empty());
  auto reached = std::stoull(kept.resource_version());
  uint64_t newest_pod = 0;
  for (const auto& [key, rv] : truth(sim.cluster()))
    newest_pod = std::max<uint64_t>(newest_pod, std::stoull(rv));
  CHECK(reached >= newest_pod);
  CHECK(reached <= sim.cluster().data().resource_version());
  CHECK(kept.size() == truth(sim.cluster()).size());

  crash_informer();
  // While nobody watches: pods are deleted, created and changed.
  churn(30);
  resume(kept.snapshot(), kept.resource_version());
  // The parent's replayed cache (which still holds what the first informer sent) converges with
  // no impossible transition: kept pods are updates, vanished ones deletes, new ones adds.
  REQUIRE(converged());
  std::lock_guard g{seen->m};
  CHECK(seen->violations == 0);
  CHECK(seen->keys.size() == seen->cache.size());
  CHECK(std::stoull(seen->keys.resource_version()) >= reached);
}

TEST_CASE_METHOD(informer_fixture,
                 "an informer resumed from a compacted version lists it unpaged, from the "
                 "server's current state, and pages only a relist from scratch",
                 "[actors][integration]") {
  REQUIRE(converged());
  auto [kept, rv] = kept_keys();
  REQUIRE(!rv.empty());
  crash_informer();
  churn(20);
  // History older than now is gone. A paged list at `rv` would be an exact read of it (410 and a
  // full relist); unpaged, as client-go lists at a version, any newer state answers it.
  sim.cluster().data().compact();
  const auto pod_lists_since = [&](size_t from) {
    std::vector<std::string> out;
    auto all = sim.cluster().server().requests();
    for (size_t i = from; i < all.size(); ++i)
      if (all[i].starts_with("GET /api/v1/pods") && all[i].find("watch=") == std::string::npos)
        out.push_back(all[i]);
    return out;
  };
  auto mark = sim.cluster().server().requests().size();
  resume(kept.snapshot(), rv, 7);
  REQUIRE(converged());
  {
    std::lock_guard g{seen->m};
    CHECK(seen->violations == 0);
    CHECK(seen->healthy);
    CHECK(seen->stats.relists == 0);
  }
  // The resumed list, as the server saw it: one unpaged request at the kept version.
  auto resumed = pod_lists_since(mark);
  REQUIRE(resumed.size() == 1);
  CHECK_THAT(resumed[0], Catch::Contains("resourceVersion=" + rv));
  CHECK_THAT(resumed[0], !Catch::Contains("limit="));
  // A 410 on the watch: the relist from "" is paged (40 pods and more in pages of 7).
  churn(10);
  mark = sim.cluster().server().requests().size();
  sim.cluster().faults().expire_next_watches = 1;
  sim.cluster().cut_watches();
  for (int i = 0; i < 200; ++i) {
    {
      std::lock_guard g{seen->m};
      if (seen->stats.relists >= 1)
        break;
    }
    std::this_thread::sleep_for(50ms);
  }
  REQUIRE(converged());
  // The relist, as the server saw it: a first page of 7 and continued pages that name no version.
  auto relist = pod_lists_since(mark);
  REQUIRE(relist.size() >= 2);
  CHECK_THAT(relist[0], Catch::Contains("limit=7"));
  CHECK_THAT(relist[0], !Catch::Contains("continue="));
  size_t continued = 0;
  for (size_t i = 1; i < relist.size(); ++i) {
    INFO(relist[i]);
    if (relist[i].find("continue=") == std::string::npos)
      continue;
    ++continued;
    CHECK_THAT(relist[i], Catch::Contains("limit=7"));
    CHECK(std::regex_search(relist[i], std::regex{"resourceVersion=[0-9]"}) == false);
  }
  CHECK(continued >= 5); // 40 pods and more in pages of 7
  std::lock_guard g{seen->m};
  CHECK(seen->violations == 0);
  CHECK(seen->stats.relists >= 1);
  CHECK(seen->healthy);
}

TEST_CASE_METHOD(informer_fixture,
                 "an informer resumed from a version the server has not reached (a cluster "
                 "restored from a backup) lists from scratch instead of retrying it for ever",
                 "[actors][integration]") {
  REQUIRE(converged());
  auto [kept, rv] = kept_keys();
  crash_informer();
  churn(20);
  // A version far ahead of the store: kube-sim answers 504 with the ResourceVersionTooLarge
  // cause, as the API server's watch cache does; retrying it would never succeed.
  auto ahead = std::to_string(sim.cluster().data().resource_version() + 1'000'000);
  resume(kept.snapshot(), ahead);
  REQUIRE(converged());
  std::lock_guard g{seen->m};
  CHECK(seen->violations == 0);
  CHECK(seen->healthy);
  CHECK(seen->stats.relists >= 1);
}
