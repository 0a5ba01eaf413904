#include <catch2/catch.hpp>

#include "fleet/staleness.hpp"

using namespace ambient;
using namespace std::chrono_literals;
using fleet::lifecycle;

namespace {

using clock_type = std::chrono::steady_clock;
const clock_type::time_point t0{std::chrono::hours{1}};

/// The registry's records, one cluster a (state, generation).
struct records {
  std::map<std::string, fleet::cluster_record> clusters;
  records& set(const std::string& id, lifecycle s, uint64_t generation = 1) {
    auto& r = clusters[id];
    r.cluster_id = id;
    r.state = s;
    r.generation = generation;
    return *this;
  }
};

using ids = std::vector<std::string>;

} // namespace

TEST_CASE("a cluster's data ages from the moment its served incarnation stops being current",
          "[fleet]") {
  fleet::staleness s{"config"};
  records r;
  r.set("east", lifecycle::syncing);
  CHECK(s.update(r.clusters, t0).empty());
  CHECK_FALSE(s.age("east", t0 + 1s)); // nothing served yet
  CHECK_FALSE(s.any_stale());
  r.set("east", lifecycle::synced);
  s.update(r.clusters, t0 + 2s);
  CHECK_FALSE(s.age("east", t0 + 3s));
  r.set("east", lifecycle::stale);
  s.update(r.clusters, t0 + 10s);
  CHECK(s.any_stale());
  CHECK(s.age("east", t0 + 25s) == 15s);
  // Further reports do not move the start.
  s.update(r.clusters, t0 + 20s);
  CHECK(s.age("east", t0 + 25s) == 15s);
  r.set("east", lifecycle::synced);
  s.update(r.clusters, t0 + 30s);
  CHECK_FALSE(s.age("east", t0 + 31s));
  CHECK_FALSE(s.any_stale());
}

TEST_CASE("a cluster that never synced has no age and is never due", "[fleet]") {
  fleet::staleness s{"config"};
  records r;
  r.set("east", lifecycle::timeout);
  s.update(r.clusters, t0);
  r.set("east", lifecycle::failed, 2);
  s.update(r.clusters, t0 + 1s);
  CHECK_FALSE(s.age("east", t0 + 1h));
  CHECK(s.due(t0 + 1h, 1s).empty());
  CHECK_FALSE(s.next_due(1s));
}

TEST_CASE("a newer incarnation that has not synced makes the served data not current", "[fleet]") {
  fleet::staleness s{"config"};
  records r;
  r.set("east", lifecycle::synced, 1);
  s.update(r.clusters, t0);
  // A changed kubeconfig: generation 2 starts while generation 1's data is served.
  r.set("east", lifecycle::pending, 2);
  s.update(r.clusters, t0 + 5s);
  CHECK(s.age("east", t0 + 6s) == 1s);
  r.set("east", lifecycle::timeout, 2);
  s.update(r.clusters, t0 + 40s);
  CHECK(s.age("east", t0 + 45s) == 40s);
  // A refused kubeconfig (generation 3, no actor) keeps it not current.
  r.set("east", lifecycle::failed, 3);
  s.update(r.clusters, t0 + 50s);
  CHECK(s.age("east", t0 + 60s) == 55s);
  r.set("east", lifecycle::synced, 4);
  s.update(r.clusters, t0 + 70s);
  CHECK_FALSE(s.age("east", t0 + 71s));
}

TEST_CASE("a cluster stale past the limit is due once, and resumes when its newest incarnation "
          "syncs",
          "[fleet]") {
  fleet::staleness s{"config"};
  records r;
  r.set("east", lifecycle::synced).set("west", lifecycle::synced);
  s.update(r.clusters, t0);
  r.set("east", lifecycle::stale);
  s.update(r.clusters, t0 + 1s);
  r.set("west", lifecycle::failed);
  s.update(r.clusters, t0 + 3s);
  CHECK(s.next_due(10s) == t0 + 11s);
  CHECK(s.due(t0 + 10s, 10s).empty());
  CHECK(s.due(t0 + 11s, 10s) == ids{"east"});
  CHECK(s.suspended("east"));
  CHECK_FALSE(s.suspended("west"));
  CHECK(s.next_due(10s) == t0 + 13s);
  CHECK(s.due(t0 + 12s, 10s).empty()); // east is not due twice
  CHECK(s.due(t0 + 13s, 10s) == ids{"west"});
  CHECK_FALSE(s.next_due(10s));
  // The age keeps growing while suspended.
  CHECK(s.age("east", t0 + 21s) == 20s);
  // west restarts as generation 2, still not current: still suspended, nothing resumed.
  r.set("west", lifecycle::syncing, 2);
  CHECK(s.update(r.clusters, t0 + 14s).empty());
  CHECK(s.suspended("west"));
  // east recovers; west's generation 2 syncs.
  r.set("east", lifecycle::synced);
  CHECK(s.update(r.clusters, t0 + 15s) == ids{"east"});
  CHECK_FALSE(s.suspended("east"));
  r.set("west", lifecycle::synced, 2);
  CHECK(s.update(r.clusters, t0 + 16s) == ids{"west"});
  CHECK(s.update(r.clusters, t0 + 17s).empty()); // resumed once
  // Stale again later: a new clock, due again after the full limit.
  r.set("east", lifecycle::stale);
  s.update(r.clusters, t0 + 100s);
  CHECK(s.due(t0 + 109s, 10s).empty());
  CHECK(s.due(t0 + 110s, 10s) == ids{"east"});
}

TEST_CASE("the config cluster shows its age but is never due", "[fleet]") {
  fleet::staleness s{"config"};
  records r;
  r.set("config", lifecycle::synced);
  s.update(r.clusters, t0);
  r.set("config", lifecycle::stale);
  s.update(r.clusters, t0 + 1s);
  CHECK(s.age("config", t0 + 1h) == 1h - 1s);
  CHECK(s.due(t0 + 1h, 1s).empty());
  CHECK_FALSE(s.next_due(1s));
}

TEST_CASE("a cluster that leaves the registry is forgotten, suspension included", "[fleet]") {
  fleet::staleness s{"config"};
  records r;
  r.set("east", lifecycle::synced);
  s.update(r.clusters, t0);
  r.set("east", lifecycle::stale);
  s.update(r.clusters, t0 + 1s);
  CHECK(s.due(t0 + 5s, 2s) == ids{"east"});
  s.update({}, t0 + 6s);
  CHECK_FALSE(s.suspended("east"));
  CHECK_FALSE(s.age("east", t0 + 7s));
  CHECK_FALSE(s.any_stale());
  // Back under the same ID: a new cluster, nothing served yet.
  r.set("east", lifecycle::syncing, 5);
  s.update(r.clusters, t0 + 8s);
  CHECK_FALSE(s.age("east", t0 + 9s));
}
