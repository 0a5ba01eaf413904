#include <catch2/catch.hpp>

#include <string>

#include "base/base64.hpp"
#include "kube/jwt_peek.hpp"
#include "support/kubeconfig_fixture.hpp"

using namespace ambient::kube;
namespace base = ambient::base;

namespace {

/// A JWT with this payload JSON and a fake signature.
std::string jwt(const std::string& payload) {
  return base::encode_base64url(R"({"alg":"RS256","kid":"k1"})") + "."
         + base::encode_base64url(payload) + ".c2lnbmF0dXJl";
}

jwt_claims claims_of(const std::string& token) {
  auto r = peek_jwt_claims(token);
  if (auto* e = std::get_if<decode_error>(&r))
    FAIL(e->message);
  return std::get<jwt_claims>(r);
}

decode_error error_of(std::string_view token) {
  auto r = peek_jwt_claims(token);
  REQUIRE(std::holds_alternative<decode_error>(r));
  return std::get<decode_error>(r);
}

} // namespace

TEST_CASE("a service account token payload gives exp and sub", "[kube]") {
  auto c = claims_of(jwt(R"({"aud":["istio-ca"],"exp":1765000000,"iat":1764956800,)"
                         R"("iss":"https://kubernetes.default.svc","kubernetes.io":{"namespace":)"
                         R"("istio-system","pod":{"name":"ztunnel-x","uid":"u"}},)"
                         R"("sub":"system:serviceaccount:istio-system:ztunnel"})"));
  CHECK(c.exp == 1765000000);
  CHECK(c.sub == "system:serviceaccount:istio-system:ztunnel");
}

TEST_CASE("a payload without exp gives no expiry", "[kube]") {
  auto c = claims_of(jwt(R"({"sub":"s"})"));
  CHECK_FALSE(c.exp);
  CHECK(claims_of(jwt(R"({"exp":null})")).exp == std::nullopt);
}

TEST_CASE("a fractional exp keeps its whole seconds", "[kube]") {
  CHECK(claims_of(jwt(R"({"exp":1765000000.75})")).exp == 1765000000);
  CHECK(claims_of(jwt(R"({"exp":1.5e9})")).exp == 1500000000);
}

TEST_CASE("an exp that is not a number or out of range is refused", "[kube]") {
  auto e = error_of(jwt(R"({"exp":"1765000000"})"));
  CHECK(e.code == decode_errc::bad_field);
  CHECK(e.message == "JWT payload: exp: expected number");
  CHECK(error_of(jwt(R"({"exp":1e300})")).message == "JWT payload: exp: number out of range");
  CHECK(error_of(jwt(R"({"exp":99999999999999999999})")).code == decode_errc::bad_field);
  CHECK(error_of(jwt(R"({"sub":5})")).message == "JWT payload: sub: expected string");
}

TEST_CASE("strings that are not JWTs are refused without quoting them", "[kube]") {
  const std::string secret = "s3cr3t-token-value";
  auto one = error_of(secret);
  CHECK(one.message == "JWT: expected 3 '.'-separated segments, got 1");
  CHECK(error_of("a.b.c.d").message == "JWT: expected 3 '.'-separated segments, got 4");
  CHECK(error_of(".x.y").message == "JWT: an empty header or payload segment");
  CHECK(error_of("x..y").message == "JWT: an empty header or payload segment");
  auto bad64 = error_of("x." + secret + "!.y");
  CHECK(bad64.message == "JWT: the payload is not base64url");
  CHECK(bad64.message.find(secret) == std::string::npos);
}

TEST_CASE("a payload that is not a JSON object is refused", "[kube]") {
  CHECK(error_of(jwt("not json")).code == decode_errc::malformed_json);
  CHECK(error_of(jwt("[1]")).code == decode_errc::malformed_json);
  CHECK(error_of(jwt(R"({"exp":1} x)")).code == decode_errc::malformed_json);
  CHECK(error_of(jwt("")).message == "JWT: an empty header or payload segment");
}

TEST_CASE("an oversized token is refused unread", "[kube]") {
  auto e = error_of(std::string(max_jwt_bytes + 1, 'a'));
  CHECK(e.code == decode_errc::too_large);
}
