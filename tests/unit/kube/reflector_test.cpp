#include <catch2/catch.hpp>

#include <map>

#include "kube/reflector.hpp"

using namespace ambient::kube;
using namespace std::chrono_literals;

namespace {

using tp = reflector::time_point;
const tp t0{};

/// A listed object; the reflector hands it on without looking at it.
listed_object obj(const std::string& key, const std::string& rv) {
  namespace_ ns;
  ns.meta.name = key;
  return {key, rv, any_object{ns}};
}

/// A watch event's change.
change ev(change::type_t type, const std::string& key, const std::string& rv) {
  return {type, key, rv,
          type == change::deleted ? std::nullopt : std::optional{obj(key, rv).object}};
}

/// Replays deltas into a map, as an informer's handler would, failing on impossible sequences.
struct replay {
  std::map<std::string, std::string> cache;
  void apply(const std::vector<change>& ds) {
    for (const auto& d : ds) {
      if (d.type == change::added) {
        REQUIRE(!cache.contains(d.key));
        cache[d.key] = d.resource_version;
      } else if (d.type == change::modified) {
        REQUIRE(cache.contains(d.key));
        cache[d.key] = d.resource_version;
      } else {
        REQUIRE(cache.erase(d.key) == 1);
      }
    }
  }
};

template <class T>
const T& action_as(const reflector_step& s) {
  REQUIRE(s.next);
  REQUIRE(std::holds_alternative<T>(*s.next));
  return std::get<T>(*s.next);
}

} // namespace

TEST_CASE("the reflector lists at version 0 then watches from the list's version", "[kube]") {
  reflector r;
  auto first = r.start(t0);
  CHECK(action_as<do_list>(first).resource_version == "0");
  CHECK(action_as<do_list>(first).limit == 0);
  auto step = r.on_list_page({"10", "", {obj("ns/a", "5"), obj("ns/b", "7")}}, t0, 0.5);
  CHECK(step.synced_now);
  CHECK(r.has_synced());
  CHECK(step.deltas.size() == 2);
  const auto& w = action_as<do_watch>(step);
  CHECK(w.resource_version == "10");
  CHECK(w.timeout_seconds >= 300);
  CHECK(w.timeout_seconds <= 600);
  CHECK(w.timeout_seconds == 450);
}

TEST_CASE("watch events become deltas and duplicates are dropped", "[kube]") {
  reflector r;
  replay h;
  r.start(t0);
  h.apply(r.on_list_page({"10", "", {obj("ns/a", "5")}}, t0, 0).deltas);
  h.apply(r.on_event(ev(change::added, "ns/b", "11"), t0).deltas);
  h.apply(r.on_event(ev(change::modified, "ns/a", "12"), t0).deltas);
  auto dup = r.on_event(ev(change::modified, "ns/a", "12"), t0);
  CHECK(dup.deltas.empty());
  h.apply(r.on_event(ev(change::deleted, "ns/b", "13"), t0).deltas);
  CHECK(r.on_event(ev(change::deleted, "ns/ghost", "14"), t0).deltas.empty());
  r.on_bookmark("20", t0);
  CHECK(r.last_resource_version() == "20");
  CHECK(h.cache == std::map<std::string, std::string>{{"ns/a", "12"}});
  CHECK(r.size() == 1);
}

TEST_CASE("a 410 relists from scratch with paging and emits tombstones for vanished keys",
          "[kube]") {
  reflector r;
  replay h;
  r.start(t0);
  h.apply(r.on_list_page({"10", "", {obj("ns/a", "1"), obj("ns/b", "2"), obj("ns/c", "3")}}, t0, 0)
              .deltas);
  auto wait = r.on_failure(failure_kind::expired, t0, 0.0);
  CHECK(action_as<do_wait>(wait).delay == 800ms);
  auto relist = r.on_timer(t0 + 1s, 0);
  CHECK(action_as<do_list>(relist).resource_version == "");
  CHECK(action_as<do_list>(relist).limit == 500);
  auto p1 = r.on_list_page({"30", "tok", {obj("ns/a", "1"), obj("ns/b", "25")}}, t0, 0);
  CHECK(action_as<do_list>(p1).continue_token == "tok");
  h.apply(p1.deltas);
  auto p2 = r.on_list_page({"30", "", {obj("ns/d", "28")}}, t0, 0);
  h.apply(p2.deltas);
  CHECK(!p2.synced_now); // synced once, at the first list
  CHECK(action_as<do_watch>(p2).resource_version == "30");
  CHECK(h.cache
        == std::map<std::string, std::string>{{"ns/a", "1"}, {"ns/b", "25"}, {"ns/d", "28"}});
  auto tomb = std::find_if(p2.deltas.begin(), p2.deltas.end(),
                           [](const change& d) { return d.key == "ns/c"; });
  REQUIRE(tomb != p2.deltas.end());
  CHECK(tomb->type == change::deleted);
  CHECK_FALSE(tomb->object);
  CHECK(r.relists() == 1);
}

TEST_CASE("transient watch failures resume the watch after a backoff without relisting", "[kube]") {
  reflector r;
  r.start(t0);
  r.on_list_page({"10", "", {}}, t0, 0);
  r.on_event(ev(change::added, "ns/a", "11"), t0);
  for (auto why : {failure_kind::connection, failure_kind::throttled, failure_kind::server}) {
    auto w = r.on_failure(why, t0, 0);
    REQUIRE(std::holds_alternative<do_wait>(*w.next));
    auto again = r.on_timer(t0, 0);
    CHECK(action_as<do_watch>(again).resource_version == "11");
  }
  CHECK(r.relists() == 0);
}

TEST_CASE("a malformed event relists at the last version to converge", "[kube]") {
  reflector r;
  replay h;
  r.start(t0);
  h.apply(r.on_list_page({"10", "", {obj("ns/a", "1")}}, t0, 0).deltas);
  r.on_failure(failure_kind::malformed, t0, 0);
  auto relist = r.on_timer(t0, 0);
  CHECK(action_as<do_list>(relist).resource_version == "10");
  CHECK(action_as<do_list>(relist).limit == 0); // unpaged at a version, as client-go
  // The lost event was a new object: the relist delivers it exactly once.
  h.apply(r.on_list_page({"12", "", {obj("ns/a", "1"), obj("ns/b", "11")}}, t0, 0).deltas);
  CHECK(h.cache == std::map<std::string, std::string>{{"ns/a", "1"}, {"ns/b", "11"}});
}

TEST_CASE("a failure during the first list retries the list after backing off", "[kube]") {
  reflector r;
  r.start(t0);
  auto w = r.on_failure(failure_kind::connection, t0, 0);
  CHECK(std::holds_alternative<do_wait>(*w.next));
  CHECK(!r.has_synced());
  auto again = r.on_timer(t0, 0);
  CHECK(action_as<do_list>(again).resource_version == "0");
  // A page from the abandoned attempt after giving up is ignored.
  r.on_failure(failure_kind::connection, t0, 0);
  CHECK(r.on_list_page({"5", "", {obj("ns/a", "1")}}, t0, 0).deltas.empty());
}

TEST_CASE("a silent watch is declared dead after the idle timeout", "[kube]") {
  reflector_config cfg;
  cfg.idle_timeout = 10s;
  reflector r{cfg};
  r.start(t0);
  r.on_list_page({"10", "", {}}, t0, 0);
  CHECK(!r.check_liveness(t0 + 9s, 0));
  r.on_bookmark("11", t0 + 9s);
  CHECK(!r.check_liveness(t0 + 18s, 0));
  auto dead = r.check_liveness(t0 + 20s, 0);
  REQUIRE(dead);
  CHECK(std::holds_alternative<do_wait>(*dead->next));
  // Not a resumed watch, which a server that has not reached version 11 would leave silent for
  // ever: a relist at 11, unpaged, and a watch from what it returns.
  const auto relist = action_as<do_list>(r.on_timer(t0 + 21s, 0));
  CHECK(relist.resource_version == "11");
  CHECK(relist.limit == 0);
  CHECK(action_as<do_watch>(r.on_list_page({"12", "", {}}, t0 + 21s, 0)).resource_version == "12");
  CHECK(r.relists() == 1);
}

TEST_CASE("a clean end of the watch reopens it from the last version", "[kube]") {
  reflector r;
  r.start(t0);
  r.on_list_page({"10", "", {}}, t0, 0);
  r.on_bookmark("15", t0);
  CHECK(action_as<do_watch>(r.on_watch_end(t0, 0.99)).resource_version == "15");
}

TEST_CASE("backoff doubles from 800ms to 30s with jitter and resets after two healthy minutes",
          "[kube]") {
  backoff b;
  auto t = t0;
  CHECK(b.next(t, 0) == 800ms);
  CHECK(b.next(t += 1s, 0) == 1600ms);
  CHECK(b.next(t += 1s, 0.5) == 4800ms); // 3.2s * 1.5
  for (int i = 0; i < 10; ++i)
    b.next(t += 1s, 0);
  CHECK(b.next(t += 1s, 0) == 30s);
  CHECK(b.next(t += 1s, 0.999) < 60s);
  CHECK(b.next(t += 121s, 0) == 800ms);
}

TEST_CASE(
    "an unreachable API server is retried within 750 ms, one that answers backs off as client-go",
    "[kube]") {
  reflector r;
  r.start(t0);
  r.on_list_page({"10", "", {}}, t0, 0);
  // Worst-case jitter every time: the connection schedule stays under 750 ms however long the
  // outage lasts, so a returning server is found quickly.
  auto now = t0;
  std::chrono::milliseconds last{0};
  for (int i = 0; i < 20; ++i) {
    auto w = r.on_failure(failure_kind::connection, now, 0.999);
    last = action_as<do_wait>(w).delay;
    CHECK(last <= 750ms);
    now += last;
    r.on_timer(now, 0);
  }
  CHECK(last >= 700ms); // it did grow to its cap
  // A server that answers 500 gets client-go's schedule, untouched by the connection failures.
  auto first_server = action_as<do_wait>(r.on_failure(failure_kind::server, now, 0)).delay;
  CHECK(first_server == 800ms);
  r.on_timer(now, 0);
  auto second_server = action_as<do_wait>(r.on_failure(failure_kind::server, now, 0)).delay;
  CHECK(second_server == 1600ms);
}

TEST_CASE("a resource type the server does not serve is synced and empty, and checked again",
          "[kube]") {
  reflector_config cfg;
  cfg.not_served_recheck = 5s;
  reflector r{cfg};
  replay h;
  r.start(t0);
  // LIST answered 404 (no Gateway API CRDs): synced at once, nothing known, a re-check later.
  auto absent = r.on_not_served(t0);
  CHECK(absent.synced_now);
  CHECK(r.has_synced());
  CHECK(r.not_served());
  CHECK(absent.deltas.empty());
  CHECK(action_as<do_wait>(absent).delay == 5s);
  // Still absent at the re-check: another wait, not a failure (no backoff, no relist counted).
  CHECK(action_as<do_list>(r.on_timer(t0 + 5s, 0)).resource_version == "0");
  CHECK(!r.on_not_served(t0 + 5s).synced_now);
  CHECK(r.relists() == 0);
  // Installed: the next re-check lists its objects and watches them.
  r.on_timer(t0 + 10s, 0);
  auto listed = r.on_list_page({"40", "", {obj("ns/gw", "39")}}, t0 + 10s, 0);
  h.apply(listed.deltas);
  CHECK(!listed.synced_now);
  CHECK(!r.not_served());
  CHECK(action_as<do_watch>(listed).resource_version == "40");
  CHECK(h.cache == std::map<std::string, std::string>{{"ns/gw", "39"}});
  // Removed again: the watch gets 404, the relist gets 404, and every object is deleted.
  auto gone = r.on_failure(failure_kind::not_served, t0 + 20s, 0);
  REQUIRE(std::holds_alternative<do_wait>(*gone.next));
  CHECK(action_as<do_list>(r.on_timer(t0 + 21s, 0)).resource_version == "40");
  auto removed = r.on_not_served(t0 + 21s);
  h.apply(removed.deltas);
  CHECK(h.cache.empty());
  CHECK(action_as<do_wait>(removed).delay == 5s);
}

TEST_CASE("keys assumed known from an earlier reflector are reconciled by the first list",
          "[kube]") {
  // The owner still holds a, b and c from a reflector that died; b and c were deleted and d
  // created while nobody watched.
  reflector r;
  replay h;
  h.cache = {{"ns/a", ""}, {"ns/b", ""}, {"ns/c", ""}};
  r.assume_known("ns/a");
  r.assume_known("ns/b");
  r.assume_known("ns/c");
  CHECK(!r.has_synced());
  CHECK(action_as<do_list>(r.start(t0)).resource_version == "0");
  auto step = r.on_list_page({"40", "", {obj("ns/a", "5"), obj("ns/d", "39")}}, t0, 0);
  CHECK(step.synced_now);
  h.apply(step.deltas); // a is updated (not added twice), b and c are deleted, d is added
  CHECK(h.cache == std::map<std::string, std::string>{{"ns/a", "5"}, {"ns/d", "39"}});
  CHECK(step.deltas.size() == 4);
  for (const auto& d : step.deltas)
    if (d.type == change::deleted)
      CHECK_FALSE(d.object); // tombstones: the final state is unknown
  CHECK(r.size() == 2);
  // From then on a is an ordinary key: the same version again is no change.
  CHECK(r.on_event(ev(change::modified, "ns/a", "5"), t0).deltas.empty());
}

TEST_CASE("keys assumed known are tombstoned when the resource type turns out not served",
          "[kube]") {
  reflector r;
  r.assume_known("ns/gw");
  r.start(t0);
  auto step = r.on_not_served(t0);
  REQUIRE(step.deltas.size() == 1);
  CHECK(step.deltas[0].type == change::deleted);
  CHECK(step.deltas[0].key == "ns/gw");
  CHECK(r.has_synced());
}

TEST_CASE("a reflector resuming an earlier one's collection lists no older than it had reached",
          "[kube]") {
  // The owner holds a and b from a reflector that had reached version 40 before it died.
  reflector r;
  replay h;
  h.cache = {{"ns/a", ""}, {"ns/b", ""}};
  r.assume_known("ns/a");
  r.assume_known("ns/b");
  r.resume_from("40");
  CHECK(!r.has_synced());
  // Not "0": a lagging cache could answer with a state older than 40, where an object the owner
  // already holds does not exist yet, and the list would report it deleted.
  const auto first = action_as<do_list>(r.start(t0));
  CHECK(first.resource_version == "40");
  CHECK(first.limit == 0); // as every relist at a known version: unpaged, any state that new
  // The server cannot serve 40 (it has not reached it: a cluster restored from a backup, which the
  // informer reports as expired, as a 410): after the backoff a list from "", paged.
  auto gone = r.on_failure(failure_kind::expired, t0, 0);
  REQUIRE(std::holds_alternative<do_wait>(*gone.next));
  const auto scratch = action_as<do_list>(r.on_timer(t0 + 2s, 0));
  CHECK(scratch.resource_version == "");
  CHECK(scratch.limit == 500);
  auto step = r.on_list_page({"55", "", {obj("ns/a", "41")}}, t0 + 2s, 0);
  CHECK(step.synced_now);
  h.apply(step.deltas);
  CHECK(h.cache == std::map<std::string, std::string>{{"ns/a", "41"}});
  CHECK(action_as<do_watch>(step).resource_version == "55");
}

TEST_CASE("a transient failure of a resumed reflector's first list retries at the same version",
          "[kube]") {
  reflector r;
  r.assume_known("ns/a");
  r.resume_from("40");
  r.start(t0);
  auto failed = r.on_failure(failure_kind::server, t0, 0);
  REQUIRE(std::holds_alternative<do_wait>(*failed.next));
  CHECK(action_as<do_list>(r.on_timer(t0 + 2s, 0)).resource_version == "40");
}

TEST_CASE("resuming from no version is a first list at 0", "[kube]") {
  reflector r;
  r.resume_from("");
  const auto first = action_as<do_list>(r.start(t0));
  CHECK(first.resource_version == "0");
  CHECK(first.limit == 0);
}
