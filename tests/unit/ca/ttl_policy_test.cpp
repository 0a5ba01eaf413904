#include <catch2/catch.hpp>

#include "ca/ttl_policy.hpp"

using namespace ambient;
using namespace std::chrono_literals;
using std::chrono::hours;
using std::chrono::seconds;

namespace {

const auto now = std::chrono::system_clock::from_time_t(1'800'000'000);
const auto ca_life_ten_years = now + hours{24 * 3650};

seconds granted(const ca::result<seconds>& r) {
  const auto* s = std::get_if<seconds>(&r);
  REQUIRE(s != nullptr);
  return *s;
}

} // namespace

TEST_CASE("a TTL of 91 days is refused and not clamped", "[ca]") {
  auto r = ca::effective_ttl({}, hours{24 * 91}, ca_life_ten_years, now);
  const auto* e = std::get_if<ca::error>(&r);
  REQUIRE(e != nullptr);
  CHECK(e->code == ca::errc::bad_ttl);
  CHECK(e->message == "requested TTL 7862400s is greater than the max allowed TTL 7776000s");
  CHECK(std::string{ca::sign_error_type(e->code)} == "TTL_ERROR");
}

TEST_CASE("a TTL of zero or less gets the 24 hour default", "[ca]") {
  CHECK(granted(ca::effective_ttl({}, 0s, ca_life_ten_years, now)) == hours{24});
  CHECK(granted(ca::effective_ttl({}, -3600s, ca_life_ten_years, now)) == hours{24});
  ca::ttl_policy twelve{hours{12}, hours{24 * 90}};
  CHECK(granted(ca::effective_ttl(twelve, 0s, ca_life_ten_years, now)) == hours{12});
}

TEST_CASE("a TTL up to the maximum is granted as asked", "[ca]") {
  CHECK(granted(ca::effective_ttl({}, 3600s, ca_life_ten_years, now)) == 3600s);
  CHECK(granted(ca::effective_ttl({}, hours{24 * 90}, ca_life_ten_years, now)) == hours{24 * 90});
  ca::ttl_policy short_max{hours{1}, hours{2}};
  CHECK(std::holds_alternative<ca::error>(
      ca::effective_ttl(short_max, hours{3}, ca_life_ten_years, now)));
}

TEST_CASE("a TTL longer than the CA has left is capped at the CA expiry", "[ca]") {
  auto ca_not_after = now + hours{10};
  CHECK(granted(ca::effective_ttl({}, hours{24}, ca_not_after, now)) == hours{10});
  CHECK(granted(ca::effective_ttl({}, 0s, ca_not_after, now)) == hours{10});
  CHECK(granted(ca::effective_ttl({}, hours{9}, ca_not_after, now)) == hours{9});
}

TEST_CASE("an expired signing certificate grants nothing", "[ca]") {
  auto r = ca::effective_ttl({}, hours{1}, now - 1s, now);
  const auto* e = std::get_if<ca::error>(&r);
  REQUIRE(e != nullptr);
  CHECK(e->code == ca::errc::ca_expired);
  CHECK(std::string{ca::sign_error_type(e->code)} == "CA_NOT_READY");
}
