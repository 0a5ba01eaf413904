#include <catch2/catch.hpp>

#include <string>

#include "kube/token_review.hpp"

using namespace ambient::kube;

namespace {

/// A TokenReview response whose status is `status` (raw JSON).
std::string response(const std::string& status) {
  return R"({"kind":"TokenReview","apiVersion":"authentication.k8s.io/v1","metadata":{},)"
         R"("spec":{"token":"x"},"status":)"
         + status + "}";
}

/// A status with these parts; the default is a bound ztunnel token that passes.
std::string status(const std::string& username = "system:serviceaccount:istio-system:ztunnel",
                   const std::string& groups
                   = R"(["system:serviceaccounts","system:serviceaccounts:istio-system",)"
                     R"("system:authenticated"])",
                   const std::string& authenticated = "true", const std::string& extra_error = "") {
  return R"({"authenticated":)" + authenticated + R"(,"user":{"username":")" + username
         + R"(","uid":"u1","groups":)" + groups
         + R"(,"extra":{"authentication.kubernetes.io/pod-name":["ztunnel-abc"],)"
           R"("authentication.kubernetes.io/pod-uid":["uid-1","uid-2"],)"
           R"("authentication.kubernetes.io/node-name":["node-1"]}},"audiences":["istio-ca"])"
         + extra_error + "}";
}

review_failure failure_of(const review_result& r) {
  REQUIRE(std::holds_alternative<review_failure>(r));
  return std::get<review_failure>(r);
}

review_errc code_of(std::string_view json) {
  return failure_of(parse_token_review(json)).code;
}

} // namespace

TEST_CASE("the TokenReview body carries the token and the audiences", "[kube]") {
  CHECK(token_review_body("a.b.c", {"istio-ca", "other"})
        == R"({"apiVersion":"authentication.k8s.io/v1","kind":"TokenReview",)"
           R"("spec":{"token":"a.b.c","audiences":["istio-ca","other"]}})");
  // Escaped, whatever the caller sent.
  CHECK(token_review_body("a\"b\\c", {"x"}).find(R"("token":"a\"b\\c")") != std::string::npos);
}

TEST_CASE("a TokenReview body without audiences leaves spec.audiences out", "[kube]") {
  CHECK(token_review_body("t", {})
        == R"({"apiVersion":"authentication.k8s.io/v1","kind":"TokenReview",)"
           R"("spec":{"token":"t"}})");
}

TEST_CASE("an accepted service account token gives its namespace and account and pod", "[kube]") {
  auto r = parse_token_review(response(status()));
  REQUIRE(std::holds_alternative<token_identity>(r));
  CHECK(std::get<token_identity>(r)
        == token_identity{"istio-system", "ztunnel", "ztunnel-abc", "uid-1"});
}

TEST_CASE("a token not bound to a pod gives an identity with no pod", "[kube]") {
  auto r = parse_token_review(
      response(R"({"authenticated":true,"user":{"username":"system:serviceaccount:ns1:sa1",)"
               R"("groups":["system:serviceaccounts"]}})"));
  REQUIRE(std::holds_alternative<token_identity>(r));
  CHECK(std::get<token_identity>(r) == token_identity{"ns1", "sa1", "", ""});
}

TEST_CASE("status.audiences is not checked as istiod does not", "[kube]") {
  auto r = parse_token_review(
      response(R"({"authenticated":true,"audiences":["someone-else"],"user":{)"
               R"("username":"system:serviceaccount:a:b","groups":["system:serviceaccounts"]}})"));
  CHECK(std::holds_alternative<token_identity>(r));
}

TEST_CASE("the username prefix is not checked as istiod does not", "[kube]") {
  auto r = parse_token_review(response(status("x:y:ns:sa")));
  REQUIRE(std::holds_alternative<token_identity>(r));
  CHECK(std::get<token_identity>(r).namespace_ == "ns");
  CHECK(std::get<token_identity>(r).service_account == "sa");
}

TEST_CASE("a review with status.error set fails with the error", "[kube]") {
  auto f = failure_of(parse_token_review(
      response(status("system:serviceaccount:a:b", R"(["system:serviceaccounts"])", "true",
                      R"(,"error":"token has expired")"))));
  CHECK(f.code == review_errc::review_error);
  CHECK(f.message.find("token has expired") != std::string::npos);
  CHECK(is_verdict(f.code));
}

TEST_CASE("a review with authenticated false or absent fails", "[kube]") {
  CHECK(code_of(
            response(status("system:serviceaccount:a:b", R"(["system:serviceaccounts"])", "false")))
        == review_errc::not_authenticated);
  CHECK(code_of(response(R"({"user":{"username":"system:serviceaccount:a:b"}})"))
        == review_errc::not_authenticated);
  CHECK(code_of(response("{}")) == review_errc::not_authenticated);
}

TEST_CASE("a review whose user is not in system serviceaccounts fails", "[kube]") {
  auto f = failure_of(parse_token_review(
      response(status("system:serviceaccount:a:b", R"(["system:authenticated"])"))));
  CHECK(f.code == review_errc::not_service_account);
  CHECK(f.message.find("system:serviceaccounts") != std::string::npos);
  // A group that only starts with it does not count.
  CHECK(code_of(response(status("system:serviceaccount:a:b", R"(["system:serviceaccounts:a"])")))
        == review_errc::not_service_account);
  CHECK(code_of(response(status("system:serviceaccount:a:b", "[]")))
        == review_errc::not_service_account);
}

TEST_CASE("a username of 3 or 5 parts fails", "[kube]") {
  auto three = failure_of(parse_token_review(response(status("system:serviceaccount:a"))));
  CHECK(three.code == review_errc::bad_username);
  CHECK(three.message.find("has 3") != std::string::npos);
  auto five = failure_of(parse_token_review(response(status("system:serviceaccount:a:b:c"))));
  CHECK(five.code == review_errc::bad_username);
  CHECK(five.message.find("has 5") != std::string::npos);
  CHECK(code_of(response(status(""))) == review_errc::bad_username);
}

TEST_CASE("a username with an empty namespace or service account fails", "[kube]") {
  CHECK(failure_of(parse_token_review(response(status("system:serviceaccount::sa")))).message
        == "status.user.username has no namespace");
  CHECK(failure_of(parse_token_review(response(status("system:serviceaccount:ns:")))).message
        == "status.user.username has no service account");
}

TEST_CASE("the checks run in istiod order", "[kube]") {
  // error before authenticated, authenticated before groups, groups before username.
  CHECK(code_of(response(R"({"error":"boom","authenticated":false})"))
        == review_errc::review_error);
  CHECK(code_of(response(R"({"authenticated":false,"user":{"username":"x"}})"))
        == review_errc::not_authenticated);
  CHECK(code_of(response(R"({"authenticated":true,"user":{"username":"x","groups":[]}})"))
        == review_errc::not_service_account);
}

TEST_CASE("a response that is not JSON is a bad response", "[kube]") {
  for (std::string_view bad : {"", "not json", "{", "[1,2]", "\"status\"", "null",
                               R"({"status":{"authenticated":true}} trailing)"}) {
    auto f = failure_of(parse_token_review(bad));
    CHECK(f.code == review_errc::bad_response);
    CHECK(f.message.rfind("TokenReview response: ", 0) == 0);
    CHECK_FALSE(is_verdict(f.code));
  }
}

TEST_CASE("a response without status is a bad response", "[kube]") {
  auto f = failure_of(parse_token_review(R"({"kind":"TokenReview","spec":{"token":"x"}})"));
  CHECK(f.code == review_errc::bad_response);
  CHECK(f.message == "TokenReview response: status: missing");
}

TEST_CASE("a response of another kind is a bad response", "[kube]") {
  auto f = failure_of(parse_token_review(
      R"({"kind":"Status","status":"Failure","message":"forbidden","code":403})"));
  CHECK(f.code == review_errc::bad_response);
}

TEST_CASE("fields of the wrong type are bad responses naming the field", "[kube]") {
  auto where = [](const std::string& st) {
    auto f = failure_of(parse_token_review(response(st)));
    CHECK(f.code == review_errc::bad_response);
    return f.message;
  };
  CHECK(where(R"({"authenticated":"true"})")
        == "TokenReview response: status.authenticated: expected boolean");
  CHECK(where(R"({"error":42})") == "TokenReview response: status.error: expected string");
  CHECK(where(R"({"user":{"username":7}})")
        == "TokenReview response: status.user.username: expected string");
  CHECK(where(R"({"user":{"groups":"system:serviceaccounts"}})")
        == "TokenReview response: status.user.groups: expected array");
  CHECK(where(R"({"user":{"groups":[1]}})")
        == "TokenReview response: status.user.groups[0]: expected string");
  CHECK(where(R"({"user":{"extra":{"authentication.kubernetes.io/pod-name":"p"}}})")
        == "TokenReview response: "
           R"(status.user.extra["authentication.kubernetes.io/pod-name"]: expected array)");
  CHECK(where(R"({"user":[]})") == "TokenReview response: status.user: expected object");
  auto f = failure_of(parse_token_review(R"({"status":[]})"));
  CHECK(f.message == "TokenReview response: status: expected object");
}

TEST_CASE("an oversized response is refused unparsed", "[kube]") {
  std::string big = response(status());
  big.insert(1, R"("pad":")" + std::string(max_token_review_bytes, 'x') + R"(",)");
  auto f = failure_of(parse_token_review(big));
  CHECK(f.code == review_errc::bad_response);
  CHECK(f.message.find("exceed the limit") != std::string::npos);
}

TEST_CASE("a long status error is cut and its control characters replaced", "[kube]") {
  auto f = failure_of(
      parse_token_review(response(R"({"error":"a\nb)" + std::string(1000, 'z') + R"("})")));
  CHECK(f.message.find('\n') == std::string::npos);
  CHECK(f.message.find("a?b") != std::string::npos);
  CHECK(f.message.size() < 400);
}
