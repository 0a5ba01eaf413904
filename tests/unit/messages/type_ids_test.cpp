#include <catch2/catch.hpp>

#include <caf/binary_deserializer.hpp>
#include <caf/binary_serializer.hpp>
#include <caf/make_message.hpp>
#include <caf/message.hpp>

#include "messages/type_ids.hpp"
#include "support/actor_fixture.hpp"

using ambient::messages::cluster_state;
using ambient::messages::cluster_status;

namespace {

cluster_status sample_status() {
  return {"cluster-2", "istio-remote-secret-cluster-2", cluster_state::failed,
          "kubeconfig: users[0].user.exec is not allowed", 3};
}

} // namespace

TEST_CASE("a registered message survives serialization", "[messages]") {
  ambient::test::actor_fixture fx;
  auto original = caf::make_message(sample_status(), std::vector<cluster_status>{sample_status()});

  std::vector<char> buf;
  caf::binary_serializer sink{fx.sys, buf};
  REQUIRE(!sink(original));
  REQUIRE(!buf.empty());

  caf::message restored;
  caf::binary_deserializer source{fx.sys, buf};
  REQUIRE(!source(restored));
  REQUIRE(restored.match_elements<cluster_status, std::vector<cluster_status>>());
  CHECK(restored.get_as<cluster_status>(0) == sample_status());
  CHECK(restored.get_as<std::vector<cluster_status>>(1).size() == 1);
  CHECK(restored.get_as<std::vector<cluster_status>>(1)[0] == sample_status());
}

TEST_CASE("the type-ID block names its types for the actor system", "[messages]") {
  ambient::test::actor_fixture fx;
  constexpr auto id = caf::type_id<cluster_status>::value;
  CHECK(id >= caf::first_custom_type_id);
  CHECK(id < caf::id_block::ambient::end);
  CHECK(std::string{caf::type_name_by_id<id>::value} == "ambient::messages::cluster_status");
  // The system knows how to make a value of the type from its runtime name.
  auto fresh = fx.sys.types().make_value("ambient::messages::cluster_status");
  CHECK(fresh != nullptr);
}

TEST_CASE("an out-of-range cluster state is refused when deserializing", "[messages]") {
  ambient::test::actor_fixture fx;
  std::vector<char> buf;
  caf::binary_serializer sink{fx.sys, buf};
  // The same layout as a cluster_status, with 42 where the state belongs.
  std::string id = "c1", secret = "s1", err;
  uint8_t bogus_state = 42;
  uint32_t restarts = 0;
  REQUIRE(!sink(id, secret, bogus_state, err, restarts));
  cluster_status s;
  s.state = cluster_state::synced;
  caf::binary_deserializer source{fx.sys, buf};
  auto result = source(s);
  CHECK(result);
  CHECK(s.state == cluster_state::synced);
  // The same bytes with a valid state load fine.
  buf.clear();
  caf::binary_serializer sink2{fx.sys, buf};
  uint8_t stale = static_cast<uint8_t>(cluster_state::stale);
  REQUIRE(!sink2(id, secret, stale, err, restarts));
  caf::binary_deserializer source2{fx.sys, buf};
  REQUIRE(!source2(s));
  CHECK(s.state == cluster_state::stale);
  CHECK(s.cluster_id == "c1");
}

TEST_CASE("cluster states have stable names that parse back", "[messages]") {
  for (auto s : {cluster_state::pending, cluster_state::syncing, cluster_state::synced,
                 cluster_state::stale, cluster_state::failed, cluster_state::removed})
    CHECK(ambient::messages::parse_cluster_state(ambient::messages::to_string(s)) == s);
  CHECK(ambient::messages::to_string(cluster_state::stale) == "stale");
  CHECK(!ambient::messages::parse_cluster_state("Synced"));
}
