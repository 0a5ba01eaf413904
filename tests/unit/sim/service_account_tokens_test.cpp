#include <catch2/catch.hpp>

#include "base/base64.hpp"
#include "sim/api_handler.hpp"
#include "sim/json.hpp"
#include "sim/service_account_tokens.hpp"
#include "sim/token_review.hpp"

using namespace ambient::sim;
namespace base = ambient::base;
using namespace std::chrono_literals;
using std::chrono::system_clock;

namespace {

const system_clock::time_point t0 = system_clock::time_point{1'800'000'000s};

/// A store whose clock the test moves, with namespace default, ServiceAccounts echo and other,
/// and pod echo-1 running as echo.
struct token_world {
  system_clock::time_point now = t0;
  store s{1000, [this] {
            return now;
          }};
  token_signer signer = token_signer::create();

  token_world() {
    s.create(*find_resource("", "v1", "namespaces"), "",
             *parse_json(R"({"metadata":{"name":"default"}})", nullptr));
    for (const char* sa : {"echo", "other"})
      add("serviceaccounts", std::string{R"({"metadata":{"name":")"} + sa + R"("}})");
    add("pods", R"({"metadata":{"name":"echo-1"},"spec":{"serviceAccountName":"echo",)"
                R"("containers":[{"name":"c"}]}})");
  }
  void add(const char* resource, const std::string& body) {
    auto r = s.create(*find_resource("", "v1", resource), "default", *parse_json(body, nullptr));
    REQUIRE_FALSE(r.error);
  }
  void remove(const char* resource, const std::string& name) {
    REQUIRE_FALSE(s.remove(*find_resource("", "v1", resource), "default", name).error);
  }
  std::string uid(const char* resource, const std::string& name) {
    return s.get(*find_resource("", "v1", resource), "default", name).object->uid;
  }
  api_response post(const std::string& target, const std::string& body) {
    auto out
        = handle_api_request(s, {"POST", target, "application/json", body}, "127.0.0.1:1", &signer);
    REQUIRE(std::holds_alternative<api_response>(out));
    return std::get<api_response>(out);
  }
  /// TokenRequest for `sa` bound to `pod` (none when empty); the response.
  api_response request_token(const std::string& sa, const std::string& pod,
                             const std::string& extra_spec = R"("audiences":["istio-ca"])") {
    std::string spec = "{" + extra_spec;
    if (!pod.empty())
      spec += std::string{extra_spec.empty() ? "" : ","}
              + R"("boundObjectRef":{"kind":"Pod","apiVersion":"v1","name":")" + pod + "\"}";
    spec += "}";
    return post("/api/v1/namespaces/default/serviceaccounts/" + sa + "/token",
                R"({"apiVersion":"authentication.k8s.io/v1","kind":"TokenRequest","spec":)" + spec
                    + "}");
  }
  std::string token_for_echo() {
    auto r = request_token("echo", "echo-1");
    REQUIRE(r.status == 201);
    return parse_json(r.body, nullptr)->at("status").at("token").get<std::string>();
  }
  json review(const std::string& token, const std::string& audiences = R"(["istio-ca"])") {
    auto r = post("/apis/authentication.k8s.io/v1/tokenreviews",
                  R"({"apiVersion":"authentication.k8s.io/v1","kind":"TokenReview",)"
                  R"("spec":{"token":)"
                      + dump_json(token) + R"(,"audiences":)" + audiences + "}}");
    REQUIRE(r.status == 201);
    return parse_json(r.body, nullptr)->at("status");
  }
};

json payload_of(const std::string& token) {
  auto first = token.find('.');
  auto second = token.find('.', first + 1);
  auto text = base::decode_base64url(token.substr(first + 1, second - first - 1), false);
  REQUIRE(text);
  return *parse_json(*text, nullptr);
}

} // namespace

TEST_CASE("a TokenRequest token carries the claims a real API server puts in it", "[sim][tokens]") {
  token_world w;
  auto r = w.request_token("echo", "echo-1",
                           R"("audiences":["istio-ca","x"],"expirationSeconds":7200)");
  REQUIRE(r.status == 201);
  auto doc = *parse_json(r.body, nullptr);
  CHECK(doc["kind"] == "TokenRequest");
  CHECK(doc["apiVersion"] == "authentication.k8s.io/v1");
  CHECK(doc["status"]["expirationTimestamp"] == "2027-01-15T10:00:00Z");
  auto token = doc["status"]["token"].get<std::string>();
  auto header
      = *parse_json(*base::decode_base64url(token.substr(0, token.find('.')), false), nullptr);
  CHECK(header["alg"] == "ES256");
  CHECK(header["kid"] == w.signer.key_id());
  auto raw_signature = base::decode_base64url(token.substr(token.rfind('.') + 1), false);
  REQUIRE(raw_signature);
  CHECK(raw_signature->size() == 64);
  auto p = payload_of(token);
  CHECK(p["iss"] == "https://kubernetes.default.svc.cluster.local");
  CHECK(p["sub"] == "system:serviceaccount:default:echo");
  CHECK(p["aud"] == json::array({"istio-ca", "x"}));
  CHECK(p["iat"] == 1'800'000'000);
  CHECK(p["nbf"] == 1'800'000'000);
  CHECK(p["exp"] == 1'800'007'200);
  CHECK(p["kubernetes.io"]["namespace"] == "default");
  CHECK(p["kubernetes.io"]["pod"]["name"] == "echo-1");
  CHECK(p["kubernetes.io"]["pod"]["uid"] == w.uid("pods", "echo-1"));
  CHECK(p["kubernetes.io"]["serviceaccount"]["name"] == "echo");
  CHECK(p["kubernetes.io"]["serviceaccount"]["uid"] == w.uid("serviceaccounts", "echo"));
}

TEST_CASE("a TokenRequest without audiences or expiry gets the issuer and one hour",
          "[sim][tokens]") {
  token_world w;
  auto r = w.request_token("echo", "", "");
  REQUIRE(r.status == 201);
  auto p = payload_of(parse_json(r.body, nullptr)->at("status").at("token").get<std::string>());
  CHECK(p["aud"] == json::array({"https://kubernetes.default.svc.cluster.local"}));
  CHECK(p["exp"] == 1'800'003'600);
  CHECK(p["kubernetes.io"].find("pod") == p["kubernetes.io"].end());
}

TEST_CASE("a review of a fresh token names the service account and its pod", "[sim][tokens]") {
  token_world w;
  auto st = w.review(w.token_for_echo(), R"(["other","istio-ca"])");
  CHECK(st["authenticated"] == true);
  CHECK(st["user"]["username"] == "system:serviceaccount:default:echo");
  CHECK(st["user"]["uid"] == w.uid("serviceaccounts", "echo"));
  CHECK(st["user"]["groups"]
        == json::array(
            {"system:serviceaccounts", "system:serviceaccounts:default", "system:authenticated"}));
  CHECK(st["user"]["extra"]["authentication.kubernetes.io/pod-name"] == json::array({"echo-1"}));
  CHECK(st["user"]["extra"]["authentication.kubernetes.io/pod-uid"]
        == json::array({w.uid("pods", "echo-1")}));
  CHECK(st["audiences"] == json::array({"istio-ca"}));
  CHECK(st.find("error") == st.end());
}

TEST_CASE("a token verifies only with the key of the cluster that signed it", "[sim][tokens]") {
  token_world a;
  token_world b;
  auto token = a.token_for_echo();
  CHECK(a.signer.verify(token, t0).claims);
  CHECK(a.signer.public_key_pem().starts_with("-----BEGIN PUBLIC KEY-----\n"));
  CHECK(a.signer.public_key_pem() != b.signer.public_key_pem());
  CHECK(a.signer.key_id() != b.signer.key_id());
  auto v = b.signer.verify(token, t0);
  CHECK_FALSE(v.claims);
  CHECK(v.reason.find("another key") != std::string::npos);
  auto st = b.review(token);
  CHECK(st["authenticated"] == false);
  CHECK(st["error"].get<std::string>().find("another key") != std::string::npos);
}

TEST_CASE("a token with a changed payload or signature is refused", "[sim][tokens]") {
  token_world w;
  auto token = w.token_for_echo();
  auto first = token.find('.');
  auto second = token.find('.', first + 1);
  auto p = payload_of(token);
  p["sub"] = "system:serviceaccount:default:other";
  p["kubernetes.io"]["serviceaccount"]["name"] = "other";
  auto forged
      = token.substr(0, first + 1) + base::encode_base64url(dump_json(p)) + token.substr(second);
  CHECK(w.signer.verify(forged, t0).reason == "token signature is invalid");
  auto flipped = token;
  flipped[second + 5] = flipped[second + 5] == 'A' ? 'B' : 'A';
  CHECK(w.signer.verify(flipped, t0).reason == "token signature is invalid");
}

TEST_CASE("an expired token is refused", "[sim][tokens]") {
  token_world w;
  auto token = w.token_for_echo();
  CHECK(w.signer.verify(token, t0 + 3599s).claims);
  CHECK(w.signer.verify(token, t0 + 3600s).reason == "token has expired");
  CHECK(w.signer.verify(token, t0 - 1s).reason == "token is not valid yet (nbf)");
  w.now = t0 + 2h;
  auto st = w.review(token);
  CHECK(st["authenticated"] == false);
  CHECK(st["error"] == "invalid bearer token, token has expired");
}

TEST_CASE("a token for other audiences is not authenticated", "[sim][tokens]") {
  token_world w;
  auto token = w.token_for_echo();
  auto st = w.review(token, R"(["kubernetes"])");
  CHECK(st["authenticated"] == false);
  CHECK(st["error"].get<std::string>().find("audiences") != std::string::npos);
  // No audiences asked: the API server's own (the issuer), which istio-ca is not.
  CHECK(w.review(token, "[]")["authenticated"] == false);
}

TEST_CASE("a token of a deleted or recreated pod is not authenticated", "[sim][tokens]") {
  token_world w;
  auto token = w.token_for_echo();
  w.remove("pods", "echo-1");
  auto st = w.review(token);
  CHECK(st["authenticated"] == false);
  CHECK(st["error"].get<std::string>().find("pod \"echo-1\"") != std::string::npos);
  w.add("pods", R"({"metadata":{"name":"echo-1"},"spec":{"serviceAccountName":"echo",)"
                R"("containers":[{"name":"c"}]}})");
  st = w.review(token);
  CHECK(st["authenticated"] == false);
  CHECK(st["error"].get<std::string>().find("has UID") != std::string::npos);
}

TEST_CASE("a token of a deleted service account is not authenticated", "[sim][tokens]") {
  token_world w;
  auto token = w.token_for_echo();
  w.remove("serviceaccounts", "echo");
  auto st = w.review(token);
  CHECK(st["authenticated"] == false);
  CHECK(st["error"].get<std::string>().find("serviceaccount \"echo\"") != std::string::npos);
}

TEST_CASE("a review of something that is not a JWT names why", "[sim][tokens]") {
  token_world w;
  for (std::string bad : {"abc", "a.b", "a.b.c.d", "!!.??.**", "e30.e30.e30"}) {
    auto st = w.review(bad);
    CHECK(st["authenticated"] == false);
    CHECK(st["error"].get<std::string>().starts_with("invalid bearer token, "));
    CHECK(st["error"].get<std::string>().size() > 24);
  }
  CHECK(w.review("YQ.YQ.YQ")["error"]
        == "invalid bearer token, not a JWT: the header is not a JSON object");
  CHECK(w.post("/apis/authentication.k8s.io/v1/tokenreviews", R"({"spec":{}})").status == 400);
  CHECK(w.post("/apis/authentication.k8s.io/v1/tokenreviews", "{").status == 400);
}

TEST_CASE("TokenRequest refuses a pod of another service account and bad specs", "[sim][tokens]") {
  token_world w;
  auto r = w.request_token("other", "echo-1");
  CHECK(r.status == 400);
  CHECK(r.body.find("different serviceaccount") != std::string::npos);
  CHECK(w.request_token("nobody", "").status == 404);
  CHECK(w.request_token("echo", "echo-2").status == 404);
  CHECK(w.request_token("echo", "", R"("expirationSeconds":599)").status == 422);
  CHECK(w.request_token("echo", "", R"("audiences":"istio-ca")").status == 422);
  auto wrong_uid
      = w.post("/api/v1/namespaces/default/serviceaccounts/echo/token",
               R"({"spec":{"boundObjectRef":{"kind":"Pod","name":"echo-1","uid":"x"}}})");
  CHECK(wrong_uid.status == 409);
  auto secret = w.post("/api/v1/namespaces/default/serviceaccounts/echo/token",
                       R"({"spec":{"boundObjectRef":{"kind":"Secret","name":"s"}}})");
  CHECK(secret.status == 422);
  auto get = handle_api_request(w.s, {"GET", "/apis/authentication.k8s.io/v1/tokenreviews", "", ""},
                                "127.0.0.1:1", &w.signer);
  CHECK(std::get<api_response>(get).status == 405);
}

TEST_CASE("discovery lists tokenreviews and the serviceaccounts token subresource",
          "[sim][tokens]") {
  store s;
  auto get = [&](const std::string& target) {
    return std::get<api_response>(handle_api_request(s, {"GET", target, "", ""}, "127.0.0.1:1"));
  };
  CHECK(get("/apis").body.find(R"("groupVersion":"authentication.k8s.io/v1")")
        != std::string::npos);
  CHECK(get("/apis/authentication.k8s.io/v1").body.find(R"("name":"tokenreviews")")
        != std::string::npos);
  CHECK(get("/api/v1").body.find(R"("name":"serviceaccounts/token")") != std::string::npos);
}
