#include <catch2/catch.hpp>

#include <string>

#include "xds/caller_credentials.hpp"

using namespace ambient::xds;

namespace {

std::string token_of(const metadata_view& md) {
  auto r = bearer_token(md);
  if (auto* e = std::get_if<credentials_error>(&r))
    FAIL(e->message);
  return std::string{std::get<std::string_view>(r)};
}

credentials_error error_of(const metadata_view& md) {
  auto r = bearer_token(md);
  REQUIRE(std::holds_alternative<credentials_error>(r));
  return std::get<credentials_error>(r);
}

} // namespace

TEST_CASE("the bearer token is the authorization value after Bearer", "[xds]") {
  CHECK(token_of({{"clusterid", "c1"}, {"authorization", "Bearer a.b.c"}}) == "a.b.c");
  // Not trimmed: what follows the prefix is the token, as istiod takes it.
  CHECK(token_of({{"authorization", "Bearer  x "}}) == " x ");
}

TEST_CASE("no authorization header is refused", "[xds]") {
  auto e = error_of({{"clusterid", "c1"}, {"user-agent", "ztunnel"}});
  CHECK(e.code == credentials_errc::no_authorization);
  CHECK(e.message == R"(no authorization header (expected "Bearer <token>"))");
  CHECK(error_of({}).code == credentials_errc::no_authorization);
}

TEST_CASE("Bearer with an empty token is refused", "[xds]") {
  auto e = error_of({{"authorization", "Bearer "}, {"authorization", "Bearer later"}});
  CHECK(e.code == credentials_errc::empty_token);
  CHECK(error_of({{"authorization", "Bearer"}}).code == credentials_errc::no_bearer);
}

TEST_CASE("the Bearer prefix is case sensitive as in istiod", "[xds]") {
  auto e = error_of({{"authorization", "bearer secret-1"}, {"authorization", "BEARER secret-2"}});
  CHECK(e.code == credentials_errc::no_bearer);
  CHECK(e.message == R"(none of the 2 authorization header value(s) starts with "Bearer ")");
  CHECK(e.message.find("secret") == std::string::npos);
  CHECK(error_of({{"authorization", "Basic dXNlcjpwYXNz"}}).code == credentials_errc::no_bearer);
}

TEST_CASE("of two authorization values the first Bearer one wins", "[xds]") {
  CHECK(token_of({{"authorization", "Basic x"}, {"authorization", "Bearer second"}}) == "second");
  CHECK(token_of({{"authorization", "Bearer first"}, {"authorization", "Bearer second"}})
        == "first");
}

TEST_CASE("metadata keys match without regard to case", "[xds]") {
  CHECK(token_of({{"Authorization", "Bearer t"}}) == "t");
  CHECK(cluster_id({{"ClusterID", "c1"}}).id == "c1");
  CHECK(error_of({{"authorizationx", "Bearer t"}}).code == credentials_errc::no_authorization);
}

TEST_CASE("an oversized bearer token is refused", "[xds]") {
  std::string big = "Bearer " + std::string(max_bearer_token_bytes + 1, 'a');
  CHECK(error_of({{"authorization", big}}).code == credentials_errc::too_large);
  std::string fits = "Bearer " + std::string(max_bearer_token_bytes, 'a');
  CHECK(token_of({{"authorization", fits}}).size() == max_bearer_token_bytes);
}

TEST_CASE("the cluster id is the single clusterid value", "[xds]") {
  auto c = cluster_id({{"authorization", "Bearer t"}, {"clusterid", "east"}});
  CHECK(c.id == "east");
  CHECK(c.values == 1);
}

TEST_CASE("no clusterid or several give an empty cluster id", "[xds]") {
  auto none = cluster_id({{"authorization", "Bearer t"}});
  CHECK(none.id.empty());
  CHECK(none.values == 0);
  auto two = cluster_id({{"clusterid", "east"}, {"clusterid", "west"}});
  CHECK(two.id.empty());
  CHECK(two.values == 2);
  auto same_twice = cluster_id({{"clusterid", "east"}, {"clusterid", "east"}});
  CHECK(same_twice.id.empty());
  CHECK(cluster_id({{"clusterid", ""}}).id.empty());
}
