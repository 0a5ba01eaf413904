#include <catch2/catch.hpp>

#include "fleet/leader_election.hpp"

using namespace ambient::kube;
using namespace ambient::fleet;
using namespace std::chrono_literals;
using clock_type = leader_election::clock;

namespace {

const auto t0 = clock_type::time_point{} + 1000s;
const auto wall = std::chrono::system_clock::time_point{} + 1'800'000'000s;

lease make_lease(const std::string& holder, const std::string& rv, int32_t transitions = 0,
                 const std::string& renew = "2027-01-15T08:00:00.000000Z") {
  lease l;
  l.meta.name = "ambientd-leader";
  l.meta.namespace_ = "istio-system";
  l.meta.resource_version = rv;
  l.holder_identity = holder;
  l.lease_duration_seconds = 30;
  l.acquire_time = "2027-01-15T07:00:00.000000Z";
  l.renew_time = renew;
  l.lease_transitions = transitions;
  return l;
}

/// Starts `e` at t0 and lets it take the free Lease (its write is resource version "1"): a leader
/// since t0.
void acquire_at_t0(leader_election& e) {
  e.start(t0);
  e.on_get(t0, wall, std::nullopt, false, 0.0);
  e.on_write(t0, write_result::ok, "1", 0.0);
}

} // namespace

TEST_CASE("election timings follow client-go's rule LeaseDuration > RenewDeadline > 1.2 x "
          "RetryPeriod",
          "[kube]") {
  CHECK(validate({}) == "");
  CHECK(validate({30s, 30s, 5s}) == "lease duration must be greater than the renew deadline");
  CHECK(validate({30s, 9s, 7500ms})
        == "renew deadline must be greater than 1.2 × retry period (client-go's JitterFactor)");
  CHECK(validate({30s, 9001ms, 7500ms}) == "");
  CHECK(validate({0s, 15s, 5s}) != "");
  CHECK(validate({30500ms, 15s, 5s}) != ""); // a Lease holds whole seconds
}

TEST_CASE("a lease is written as coordination.k8s.io/v1 JSON with MicroTimes", "[kube]") {
  CHECK(micro_time(wall + 123456us) == "2027-01-15T08:00:00.123456Z");
  auto json = lease_json(
      "istio-system", "ambientd-leader",
      {"pod-a", 30, "2027-01-15T08:00:00.000000Z", "2027-01-15T08:00:05.000000Z", 2}, "41");
  CHECK(
      json
      == R"({"apiVersion":"coordination.k8s.io/v1","kind":"Lease","metadata":{"name":"ambientd-leader","namespace":"istio-system","resourceVersion":"41"},"spec":{"holderIdentity":"pod-a","leaseDurationSeconds":30,"acquireTime":"2027-01-15T08:00:00.000000Z","renewTime":"2027-01-15T08:00:05.000000Z","leaseTransitions":2}})");
  // A create carries no resourceVersion; odd identities are escaped.
  auto create = lease_json("ns", "l", {"a\"b", 1, "", "", 0}, "");
  CHECK(create.find("resourceVersion") == std::string::npos);
  CHECK(create.find(R"("holderIdentity":"a\"b")") != std::string::npos);
}

TEST_CASE("a candidate creates a missing lease and leads once the create succeeds", "[kube]") {
  leader_election e{"pod-a", {}};
  auto s = e.start(t0);
  CHECK(s.op == lease_op::get);
  s = e.on_get(t0, wall, std::nullopt, false, 0.5);
  REQUIRE(s.op == lease_op::create);
  CHECK(s.record.holder == "pod-a");
  CHECK(s.record.duration_seconds == 30);
  CHECK(s.record.transitions == 0);
  CHECK(!e.leading());
  s = e.on_write(t0, write_result::ok, "1", 0.5);
  CHECK(s.leading == std::optional{true});
  CHECK(e.leading());
  CHECK(s.wait == 7500ms); // the leader renews every RetryPeriod, without jitter
}

TEST_CASE("a lease held by another is taken over only after it stayed unchanged for "
          "LeaseDuration by our own clock",
          "[kube]") {
  leader_election e{"pod-b", {}};
  e.start(t0);
  // The record claims a renewal far in the past, but we only trust our own observation time.
  auto held = make_lease("pod-a", "7", 3, "2000-01-01T00:00:00.000000Z");
  auto s = e.on_get(t0, wall, held, false, 0.0);
  CHECK(s.op == lease_op::none);
  CHECK(s.wait == 3750ms); // jitter 0: half a RetryPeriod
  CHECK(e.observed_holder() == "pod-a");
  CHECK(e.on_timer(t0 + 3s).op == lease_op::none); // not yet due
  s = e.on_timer(t0 + 3750ms);
  CHECK(s.op == lease_op::get);
  s = e.on_get(t0 + 3750ms, wall, held, false, 1.0);
  CHECK(s.op == lease_op::none);
  CHECK(s.wait == 7500ms); // jitter 1: a whole RetryPeriod, never more
  // Renewed by its holder: the clock starts again.
  auto renewed = make_lease("pod-a", "8", 3);
  e.on_timer(t0 + 24s);
  s = e.on_get(t0 + 24s, wall, renewed, false, 0.0);
  CHECK(s.op == lease_op::none);
  e.on_timer(t0 + 50s);
  s = e.on_get(t0 + 50s, wall, renewed, false, 1.0);
  CHECK(s.op == lease_op::none); // 26 s since we saw it change
  CHECK(s.wait == 4s);           // the next try is when it expires, before the 7.5 s period
  e.on_timer(t0 + 54s);
  s = e.on_get(t0 + 54s, wall, renewed, false, 0.0);
  REQUIRE(s.op == lease_op::update); // 30 s without change: expired
  CHECK(s.resource_version == "8");
  CHECK(s.record.holder == "pod-b");
  CHECK(s.record.transitions == 4);
  CHECK(s.record.acquire_time == micro_time(wall));
}

TEST_CASE("a released lease is taken at once; a conflict is read again, never overwritten",
          "[kube]") {
  leader_election e{"pod-b", {}};
  e.start(t0);
  auto s = e.on_get(t0, wall, make_lease("", "9", 5), false, 0.0);
  REQUIRE(s.op == lease_op::update);
  CHECK(s.record.transitions == 6);
  s = e.on_write(t0, write_result::conflict, "", 0.0);
  CHECK(s.op == lease_op::get); // at once
  CHECK(!e.leading());
  s = e.on_get(t0, wall, make_lease("pod-c", "10", 6), false, 0.0);
  CHECK(s.op == lease_op::none); // pod-c won the race
  CHECK(!e.leading());
}

TEST_CASE("the leader keeps its term's acquire time and transitions when it renews", "[kube]") {
  leader_election e{"pod-a", {}};
  acquire_at_t0(e);
  auto s = e.on_timer(t0 + 7500ms);
  REQUIRE(s.op == lease_op::get);
  CHECK(s.wait == 7500ms); // the renew deadline, counted from the last renewal
  auto mine = make_lease("pod-a", "1", 0);
  mine.acquire_time = "2027-01-15T07:59:00.000000Z";
  s = e.on_get(t0 + 7500ms, wall + 7500ms, mine, false, 0.0);
  REQUIRE(s.op == lease_op::update);
  CHECK(s.record.acquire_time == "2027-01-15T07:59:00.000000Z");
  CHECK(s.record.transitions == 0);
  CHECK(s.record.renew_time == micro_time(wall + 7500ms));
  s = e.on_write(t0 + 7500ms, write_result::ok, "2", 0.0);
  CHECK(!s.leading); // no change
  CHECK(e.leading());
}

TEST_CASE("a leader that cannot renew by RenewDeadline stops leading at once, abandoning the "
          "request in flight",
          "[kube]") {
  leader_election e{"pod-a", {}};
  acquire_at_t0(e);
  auto s = e.on_timer(t0 + 7500ms);
  REQUIRE(s.op == lease_op::get);
  // The API server does not answer; the deadline timer fires 15 s after the last renewal.
  s = e.on_timer(t0 + 15s);
  CHECK(s.leading == std::optional{false});
  CHECK(s.cancel);
  CHECK(!e.leading());
  CHECK(s.wait == 7500ms);
  // Failures before the deadline keep it leading; the one that passes it stops it.
  leader_election f{"pod-a", {}};
  acquire_at_t0(f);
  f.on_timer(t0 + 7500ms);
  s = f.on_get(t0 + 7600ms, wall, std::nullopt, true, 0.0);
  CHECK(!s.leading);
  CHECK(f.leading());
  CHECK(s.wait == 7400ms); // the deadline comes before the next try
  s = f.on_timer(t0 + 15s);
  CHECK(s.leading == std::optional{false});
  CHECK(!s.cancel);
}

TEST_CASE("a leader that finds another holder stops leading", "[kube]") {
  leader_election e{"pod-a", {}};
  acquire_at_t0(e);
  e.on_timer(t0 + 7500ms);
  auto s = e.on_get(t0 + 7500ms, wall, make_lease("pod-z", "5", 1), false, 0.0);
  CHECK(s.leading == std::optional{false});
  CHECK(s.op == lease_op::none);
}

TEST_CASE("release writes an empty holder with a one-second lease, only when leading", "[kube]") {
  leader_election e{"pod-a", {}};
  CHECK(e.release(wall).op == lease_op::none);
  e.start(t0);
  e.on_get(t0, wall, make_lease("", "3", 2), false, 0.0);
  e.on_write(t0, write_result::ok, "4", 0.0);
  auto s = e.release(wall + 1s);
  REQUIRE(s.op == lease_op::update);
  CHECK(s.resource_version == "4");
  CHECK(s.record.holder == "");
  CHECK(s.record.duration_seconds == 1);
  CHECK(s.record.transitions == 3);
  CHECK(s.leading == std::optional{false});
  CHECK(!e.leading());
}

TEST_CASE("a release that met a conflict is written again only if the lease still names us",
          "[kube]") {
  leader_election e{"pod-a", {}};
  auto mine = make_lease("pod-a", "12", 4);
  auto s = e.release_again(mine, wall);
  REQUIRE(s.op == lease_op::update);
  CHECK(s.resource_version == "12");
  CHECK(s.record.holder == "");
  CHECK(s.record.transitions == 4);
  CHECK(e.release_again(make_lease("pod-b", "13", 5), wall).op == lease_op::none);
}
