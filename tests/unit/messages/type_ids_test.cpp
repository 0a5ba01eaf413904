#include <catch2/catch.hpp>

#include <string>

#include <caf/make_message.hpp>
#include <caf/message.hpp>

#include "messages/type_ids.hpp"
#include "support/actor_fixture.hpp"

TEST_CASE("the type-ID block names its types for the actor system", "[messages]") {
  ambient::test::actor_fixture fx;
  constexpr auto id = caf::type_id<ambient::messages::cluster_state_report>::value;
  CHECK(id >= caf::first_custom_type_id);
  CHECK(id < caf::id_block::ambient::end);
  CHECK(std::string{caf::type_name_by_id<id>::value} == "ambient::messages::cluster_state_report");
  // A message of it carries its type ID.
  auto msg = caf::make_message(ambient::messages::cluster_state_report{});
  CHECK(msg.match_elements<ambient::messages::cluster_state_report>());
}
