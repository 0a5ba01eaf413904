#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "fleet/review_cluster.hpp"

using namespace ambient::fleet;

namespace {

using ids = std::vector<std::string>;

std::string chosen(std::string_view id, const ids& aliases = {"alias-1"},
                   const ids& remotes = {"east", "west"}) {
  auto r = choose_review_cluster(id, "primary", aliases, remotes);
  if (auto* e = std::get_if<unknown_cluster>(&r))
    FAIL(e->message);
  return std::get<std::string>(r);
}

std::string refusal(std::string_view id, std::string_view config = "primary",
                    const ids& remotes = {"west", "east"}) {
  auto r = choose_review_cluster(id, config, {"alias-1"}, remotes);
  REQUIRE(std::holds_alternative<unknown_cluster>(r));
  return std::get<unknown_cluster>(r).message;
}

} // namespace

TEST_CASE("an empty cluster id or the config id or an alias reviews in the config cluster",
          "[fleet]") {
  CHECK(chosen("") == "primary");
  CHECK(chosen("primary") == "primary");
  CHECK(chosen("alias-1") == "primary");
}

TEST_CASE("a synced remote cluster id reviews in that cluster", "[fleet]") {
  CHECK(chosen("east") == "east");
  CHECK(chosen("west") == "west");
}

TEST_CASE("the config cluster wins over a remote of the same id", "[fleet]") {
  CHECK(chosen("primary", {}, {"primary"}) == "primary");
}

TEST_CASE("an unknown cluster id is refused naming the known clusters", "[fleet]") {
  CHECK(refusal("north") == R"(unknown cluster "north"; known: primary, east, west)");
  CHECK(refusal("East") == R"(unknown cluster "East"; known: primary, east, west)");
  CHECK(refusal("north", "primary", {}) == R"(unknown cluster "north"; known: primary)");
}

TEST_CASE("an unknown cluster message lists at most ten remote clusters", "[fleet]") {
  ids many;
  for (int i = 10; i < 25; ++i)
    many.push_back("c" + std::to_string(i));
  auto msg = refusal("north", "primary", many);
  CHECK(msg.find("c19") != std::string::npos);
  CHECK(msg.find("c20") == std::string::npos);
  CHECK(msg.find("and 5 more") != std::string::npos);
}

TEST_CASE("an unknown cluster id is quoted safely", "[fleet]") {
  auto msg = refusal(std::string("a\"b\nc") + std::string(100, 'x'));
  CHECK(msg.find('\n') == std::string::npos);
  CHECK(msg.find(R"("a?b?c)") != std::string::npos);
  CHECK(msg.find("...\"") != std::string::npos);
}

TEST_CASE("a config cluster without an id reviews an empty cluster id", "[fleet]") {
  auto r = choose_review_cluster("", "", {}, {"east"});
  CHECK(std::get<std::string>(r).empty());
  auto e = choose_review_cluster("north", "", {}, {"east"});
  CHECK(std::get<unknown_cluster>(e).message
        == R"(unknown cluster "north"; known: "" (the config cluster), east)");
}
