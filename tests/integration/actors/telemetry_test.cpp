// Actor telemetry from real actors: the directory lists them with their parents while they live,
// counts every message they handle, and forgets them when they end.
#include <catch2/catch.hpp>

#include <thread>

#include <caf/all.hpp>

#include "actors/instrumented.hpp"
#include "messages/type_ids.hpp"
#include "support/actor_fixture.hpp"
#include "telemetry/actor_directory.hpp"

using namespace ambient;

namespace {

struct probe_state {
  static inline const char* name = "telemetry_probe";
  caf::actor child;
};

using probe_ptr = actors::instrumented_actor<probe_state>*;

struct leaf_state {
  static inline const char* name = "telemetry_leaf";
};

caf::behavior leaf_impl(actors::instrumented_actor<leaf_state>* self) {
  self->set_telemetry_cluster("cluster-7");
  return {[](int x) {
    return x + 1;
  }};
}

caf::behavior probe_impl(probe_ptr self) {
  self->state.child = self->spawn<caf::linked>(leaf_impl);
  return {
      [=](int x) { return self->delegate(self->state.child, x); },
  };
}

std::optional<telemetry::actor_record> find(caf::actor_id id) {
  for (auto& r : telemetry::default_actor_directory().snapshot())
    if (r.id == id)
      return r;
  return std::nullopt;
}

} // namespace

TEST_CASE("instrumented actors are listed with their parent, count their messages and leave the "
          "directory when they end",
          "[integration][actors]") {
  test::live_actor_fixture fx;
  auto probe = fx.sys.spawn(probe_impl);
  caf::scoped_actor self{fx.sys};
  for (int i = 0; i < 5; ++i)
    self->request(probe, std::chrono::seconds{5}, i)
        .receive([&](int y) { CHECK(y == i + 1); }, [](caf::error& e) { FAIL(to_string(e)); });

  // An actor counts a message once its handler has returned, which can be after the reply has
  // reached us (the leaf answers us directly): wait for both counts rather than race them.
  std::optional<telemetry::actor_record> me, leaf;
  for (int i = 0; i < 500; ++i) {
    me = find(probe.id());
    leaf.reset();
    for (auto& r : telemetry::default_actor_directory().snapshot())
      if (r.parent == probe.id())
        leaf = r;
    if (me && leaf && me->handled >= 5 && leaf->handled >= 5)
      break;
    std::this_thread::sleep_for(std::chrono::milliseconds{10});
  }
  REQUIRE(me);
  CHECK(me->kind == "telemetry_probe");
  CHECK(me->parent == 0); // spawned by the system itself
  CHECK(me->handled >= 5);
  REQUIRE(leaf);
  CHECK(leaf->kind == "telemetry_leaf");
  CHECK(leaf->cluster == "cluster-7");
  CHECK(leaf->handled >= 5);
  auto text = telemetry::default_registry().encode();
  CHECK(text.find("ambientd_actor_messages_total{actor=\"telemetry_leaf\",cluster=\"cluster-7\"}")
        != std::string::npos);
  CHECK(text.find("ambientd_actors{actor=\"telemetry_probe\"} 1\n") != std::string::npos);

  self->send_exit(probe, caf::exit_reason::user_shutdown);
  self->wait_for(probe);
  // The linked leaf goes with it; both leave the directory as they terminate.
  for (int i = 0; i < 2000 && (find(probe.id()) || find(leaf->id)); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds{10});
  CHECK(!find(probe.id()));
  CHECK(!find(leaf->id));
  CHECK(
      telemetry::default_registry().encode().find("ambientd_actors{actor=\"telemetry_probe\"} 0\n")
      != std::string::npos);
}
