#include <catch2/catch.hpp>

#include <thread>

#include "telemetry/actor_directory.hpp"

using namespace ambient::telemetry;
using Catch::Matchers::Contains;

namespace {

/// A metrics registry and an actor directory reporting into it.
struct directory_fixture {
  registry reg;
  actor_directory dir{reg};
};

} // namespace

TEST_CASE_METHOD(
    directory_fixture,
    "enrolled actors are listed with their parent until they retire, and counted by kind",
    "[telemetry]") {
  auto store = dir.enroll(7, 0, "cluster_store");
  auto child = dir.enroll(9, 7, "remote_cluster");
  auto other = dir.enroll(10, 7, "remote_cluster");
  CHECK(reg.add_gauge("ambientd_actors", "Live actors of this kind", {{"actor", "remote_cluster"}})
            .value()
        == 2);
  auto snap = dir.snapshot();
  REQUIRE(snap.size() == 3);
  CHECK(snap[0].id == 7);
  CHECK(snap[0].parent == 0);
  CHECK(snap[1].kind == "remote_cluster");
  CHECK(snap[1].parent == 7);
  dir.retire(10);
  dir.retire(10); // twice is harmless
  dir.retire(404);
  CHECK(dir.snapshot().size() == 2);
  CHECK_THAT(reg.encode(), Contains("ambientd_actors{actor=\"remote_cluster\"} 1\n"));
  CHECK_THAT(reg.encode(), Contains("ambientd_actors{actor=\"cluster_store\"} 1\n"));
}

TEST_CASE_METHOD(directory_fixture,
                 "each message is counted and timed under the actor's kind and cluster",
                 "[telemetry]") {
  auto p = dir.enroll(3, 1, "informer");
  p->begin(0);
  p->end();
  p->set_cluster("cluster-2");
  for (int i = 0; i < 3; ++i) {
    p->begin(5 - i);
    p->end();
  }
  auto text = reg.encode();
  CHECK_THAT(text, Contains("ambientd_actor_messages_total{actor=\"informer\",cluster=\"\"} 1\n"));
  CHECK_THAT(text,
             Contains("ambientd_actor_messages_total{actor=\"informer\",cluster=\"cluster-2\"} "
                      "3\n"));
  CHECK_THAT(text, Contains("ambientd_actor_handler_duration_seconds_count{actor=\"informer\","
                            "cluster=\"cluster-2\"} 3\n"));
  auto snap = dir.snapshot();
  REQUIRE(snap.size() == 1);
  CHECK(snap[0].cluster == "cluster-2");
  CHECK(snap[0].handled == 4);
  CHECK(snap[0].mailbox_depth == 3); // the last sample
  CHECK(snap[0].busy_for.count() == 0);
}

TEST_CASE_METHOD(directory_fixture, "an actor inside a handler shows how long it has been busy",
                 "[telemetry]") {
  auto p = dir.enroll(3, 0, "readiness_aggregator");
  p->begin(12);
  std::this_thread::sleep_for(std::chrono::milliseconds{5});
  auto snap = dir.snapshot();
  CHECK(snap.at(0).busy_for >= std::chrono::milliseconds{5});
  CHECK(snap.at(0).mailbox_depth == 12);
  p->end();
  CHECK(dir.snapshot().at(0).busy_for.count() == 0);
}

TEST_CASE_METHOD(
    directory_fixture,
    "mailbox depth gauges sum the live actors' samples per group; restarts are counted",
    "[telemetry]") {
  auto a = dir.enroll(1, 0, "informer");
  auto b = dir.enroll(2, 0, "informer");
  a->set_cluster("c1");
  b->set_cluster("c1");
  a->begin(4);
  a->end();
  b->begin(6);
  b->end();
  dir.sample();
  CHECK_THAT(reg.encode(),
             Contains("ambientd_actor_mailbox_depth{actor=\"informer\",cluster=\"c1\"} 10\n"));
  dir.retire(1);
  dir.retire(2);
  dir.sample(); // no live actor: the group reads 0, not its last value
  CHECK_THAT(reg.encode(),
             Contains("ambientd_actor_mailbox_depth{actor=\"informer\",cluster=\"c1\"} 0\n"));
  dir.restarted("informer", "c1");
  dir.restarted("informer", "c1");
  CHECK_THAT(reg.encode(),
             Contains("ambientd_actor_restarts_total{actor=\"informer\",cluster=\"c1\"} 2\n"));
}
