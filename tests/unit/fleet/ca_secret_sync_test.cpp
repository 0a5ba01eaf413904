#include <catch2/catch.hpp>

#include "base/base64.hpp"
#include "fleet/ca_secret_sync.hpp"

using namespace ambient;
using Catch::Matchers::Contains;

namespace {

kube::response_end answer(int status, std::string body = {}) {
  kube::response_end e;
  e.status = status;
  e.body = std::move(body);
  return e;
}

std::map<std::string, std::string> our_root() {
  return {{"ca-cert.pem", "CERT"}, {"ca-key.pem", "KEY"}};
}

} // namespace

TEST_CASE("an existing istio-ca-secret is read and no root is made", "[fleet]") {
  fleet::ca_secret_sync sync{"istio-system", "istio-ca-secret"};
  auto first = sync.start();
  CHECK(first.method == "GET");
  CHECK(first.path == "/api/v1/namespaces/istio-system/secrets/istio-ca-secret");
  int made = 0;
  auto step = sync.on_response(
      answer(200, R"({"apiVersion":"v1","kind":"Secret","metadata":{"name":"istio-ca-secret",)"
                  R"("namespace":"istio-system"},"type":"istio.io/ca-root","data":{"ca-cert.pem":")"
                      + base::encode_base64("THEIR CERT") + R"("}})"),
      [&] {
        ++made;
        return our_root();
      });
  REQUIRE(step.data);
  CHECK(step.data->at("ca-cert.pem") == "THEIR CERT");
  CHECK(made == 0);
}

TEST_CASE("a missing istio-ca-secret is created with our root", "[fleet]") {
  fleet::ca_secret_sync sync{"istio-system", "istio-ca-secret"};
  auto step = sync.on_response(answer(404), our_root);
  REQUIRE(step.call);
  CHECK(step.call->method == "POST");
  CHECK(step.call->path == "/api/v1/namespaces/istio-system/secrets");
  CHECK_THAT(step.call->body, Contains(R"("type":"istio.io/ca-root")"));
  CHECK_THAT(step.call->body, Contains(base::encode_base64("KEY")));
  auto done = sync.on_response(answer(201), our_root);
  REQUIRE(done.data);
  CHECK(*done.data == our_root());
}

TEST_CASE("losing the race to create istio-ca-secret reads the winner", "[fleet]") {
  fleet::ca_secret_sync sync{"istio-system", "istio-ca-secret"};
  sync.on_response(answer(404), our_root);
  auto lost = sync.on_response(answer(409), our_root);
  REQUIRE(lost.call);
  CHECK(lost.call->method == "GET");
  CHECK_FALSE(lost.data);
}

TEST_CASE("an unreadable or garbled istio-ca-secret is an error naming it", "[fleet]") {
  fleet::ca_secret_sync sync{"istio-system", "istio-ca-secret"};
  CHECK_THAT(sync.on_response(answer(403), our_root).error,
             Contains("reading secret istio-system/istio-ca-secret: HTTP 403"));
  kube::response_end down;
  down.error = "connection refused";
  CHECK_THAT(sync.on_response(down, our_root).error, Contains("connection refused"));
  CHECK_THAT(sync.on_response(answer(200, "{not json"), our_root).error,
             Contains("istio-system/istio-ca-secret"));
}

TEST_CASE("base64 encoding round-trips through the decoder", "[kube]") {
  for (const std::string& s :
       std::vector<std::string>{"", "a", "ab", "abc", "abcd", std::string{"\0\xff\x10", 3}})
    CHECK(base::decode_base64(base::encode_base64(s)) == s);
  CHECK(base::encode_base64("abcd") == "YWJjZA==");
}
