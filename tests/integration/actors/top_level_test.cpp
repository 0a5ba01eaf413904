#include <catch2/catch.hpp>

#include <mutex>
#include <vector>

#include <caf/all.hpp>

#include "actors/readiness_aggregator.hpp"
#include "actors/top_level.hpp"
#include "actors/xds_publisher.hpp"
#include "messages/mesh.hpp"
#include "messages/type_ids.hpp"
#include "support/actor_fixture.hpp"

using namespace ambient;
using namespace std::chrono_literals;

namespace {

struct top_level_fixture : test::live_actor_fixture {
  std::mutex m;
  std::vector<actors::top_level_death> deaths;
  actors::top_level_watch watch{[this](const actors::top_level_death& d) {
    std::lock_guard g{m};
    deaths.push_back(d);
  }};
  caf::actor publisher = sys.spawn(actors::xds_publisher_impl, actors::xds_publisher_config{});
  caf::actor aggregator = sys.spawn(
      actors::readiness_aggregator_impl,
      actors::readiness_aggregator_config{std::make_shared<const mesh::mesh_config>(), publisher});
  /// Monitors both actors before any test watches them. CAF runs an ending actor's attached
  /// callbacks newest first, so a watch attached later has run by the time this probe's
  /// down_msg is sent.
  caf::scoped_actor probe{sys};

  top_level_fixture() {
    probe->monitor(publisher);
    probe->monitor(aggregator);
  }

  ~top_level_fixture() {
    watch.stopping();
    caf::anon_send_exit(aggregator, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(publisher, caf::exit_reason::user_shutdown);
  }

  /// Ends `a` with `reason` and returns once it is gone (and so once its watch has run).
  void end(const caf::actor& a, caf::exit_reason reason) {
    caf::anon_send_exit(a, reason);
    bool down = false;
    probe->receive([&](const caf::down_msg& d) { down = d.source == a.address(); },
                   caf::after(5s) >> [] {});
    REQUIRE(down);
  }

  std::vector<actors::top_level_death> seen() {
    std::lock_guard g{m};
    return deaths;
  }
};

} // namespace

TEST_CASE_METHOD(top_level_fixture,
                 "a top-level actor that crashes is reported with its name and reason",
                 "[actors][integration]") {
  watch.watch("xds_publisher", publisher);
  watch.watch("readiness_aggregator", aggregator);
  CHECK(seen().empty());
  end(publisher, caf::exit_reason::unhandled_exception);
  auto d = seen();
  REQUIRE(d.size() == 1);
  CHECK(d[0].actor == "xds_publisher");
  CHECK(d[0].reason.find("unhandled_exception") != std::string::npos);
  // The aggregator lives on and is not reported.
  caf::scoped_actor asker{sys};
  bool answered = false;
  asker->request(aggregator, 5s, atom::status_v)
      .receive([&](const messages::aggregator_status&) { answered = true; },
               [](const caf::error&) {});
  CHECK(answered);
  CHECK(seen().size() == 1);
}

TEST_CASE_METHOD(top_level_fixture,
                 "top-level actors that end during main's shutdown are not reported",
                 "[actors][integration]") {
  watch.watch("xds_publisher", publisher);
  watch.watch("readiness_aggregator", aggregator);
  watch.stopping();
  end(aggregator, caf::exit_reason::user_shutdown);
  end(publisher, caf::exit_reason::user_shutdown);
  CHECK(seen().empty());
}

TEST_CASE_METHOD(top_level_fixture,
                 "a top-level actor that ended before it was watched is reported at once",
                 "[actors][integration]") {
  watch.watch("readiness_aggregator", aggregator);
  end(publisher, caf::exit_reason::out_of_workers);
  CHECK(seen().empty()); // not watched yet
  watch.watch("xds_publisher", publisher);
  auto d = seen();
  REQUIRE(d.size() == 1);
  CHECK(d[0].actor == "xds_publisher");
  CHECK(d[0].reason.find("out_of_workers") != std::string::npos);
}
