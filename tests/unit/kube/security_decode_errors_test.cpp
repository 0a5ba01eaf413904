#include <catch2/catch.hpp>

#include <string>
#include <variant>

#include "kube/decode.hpp"

using namespace ambient::kube;

namespace {

template <class T>
decode_error err(const decoded<T>& d) {
  REQUIRE(std::holds_alternative<decode_error>(d));
  return std::get<decode_error>(d);
}

/// The error of an AuthorizationPolicy shop/p with this spec.
decode_error policy_error(const std::string& spec) {
  return err(decode_as<authorization_policy>(
      R"({"kind":"AuthorizationPolicy","metadata":{"namespace":"shop","name":"p"},"spec":)" + spec
      + "}"));
}

/// The error of a PeerAuthentication shop/pa with this spec.
decode_error peer_error(const std::string& spec) {
  return err(decode_as<peer_authentication>(
      R"({"kind":"PeerAuthentication","metadata":{"namespace":"shop","name":"pa"},"spec":)" + spec
      + "}"));
}

} // namespace

TEST_CASE("a policy whose selector is not an object names the selector", "[kube]") {
  auto e = policy_error(R"({"selector":["app"]})");
  CHECK(e.code == decode_errc::bad_field);
  CHECK(e.message == "AuthorizationPolicy shop/p: spec.selector: expected object");
  e = policy_error(R"({"selector":{"matchLabels":{"app":1}}})");
  CHECK(e.message
        == "AuthorizationPolicy shop/p: spec.selector.matchLabels[\"app\"]: expected string");
}

TEST_CASE("a policy whose action is not a string names the action", "[kube]") {
  auto e = policy_error(R"({"action":["DENY"]})");
  CHECK(e.code == decode_errc::bad_field);
  CHECK(e.message == "AuthorizationPolicy shop/p: spec.action: expected string");
}

TEST_CASE("a policy whose target references have the wrong type names them", "[kube]") {
  CHECK(policy_error(R"({"targetRef":"waypoint"})").message
        == "AuthorizationPolicy shop/p: spec.targetRef: expected object");
  CHECK(policy_error(R"({"targetRefs":{"name":"waypoint"}})").message
        == "AuthorizationPolicy shop/p: spec.targetRefs: expected array");
  CHECK(policy_error(R"({"targetRefs":[{"name":"w"},null]})").message
        == "AuthorizationPolicy shop/p: spec.targetRefs[1]: expected object");
}

TEST_CASE("a policy whose rules are not a list names the rules", "[kube]") {
  CHECK(policy_error(R"({"rules":{"from":[]}})").message
        == "AuthorizationPolicy shop/p: spec.rules: expected array");
  CHECK(policy_error(R"({"rules":["all"]})").message
        == "AuthorizationPolicy shop/p: spec.rules[0]: expected object");
}

TEST_CASE("a source field that is a string instead of a list names the field", "[kube]") {
  auto e = policy_error(
      R"({"rules":[{"from":[{"source":{"principals":"cluster.local/ns/a/sa/x"}}]}]})");
  CHECK(e.code == decode_errc::bad_field);
  CHECK(e.message
        == "AuthorizationPolicy shop/p: spec.rules[0].from[0].source.principals: expected array");
  CHECK(
      policy_error(R"({"rules":[{},{"from":[{},{"source":{"notServiceAccounts":[1]}}]}]})").message
      == "AuthorizationPolicy shop/p: spec.rules[1].from[1].source.notServiceAccounts[0]: "
         "expected string");
  CHECK(policy_error(R"({"rules":[{"from":[{"source":"everyone"}]}]})").message
        == "AuthorizationPolicy shop/p: spec.rules[0].from[0].source: expected object");
  CHECK(policy_error(R"({"rules":[{"from":{"source":{}}}]})").message
        == "AuthorizationPolicy shop/p: spec.rules[0].from: expected array");
}

TEST_CASE("an operation field of the wrong type names the field", "[kube]") {
  CHECK(policy_error(R"({"rules":[{"to":[{"operation":{"ports":[8080]}}]}]})").message
        == "AuthorizationPolicy shop/p: spec.rules[0].to[0].operation.ports[0]: expected string");
  CHECK(policy_error(R"({"rules":[{"to":[{"operation":{"notPaths":"/admin"}}]}]})").message
        == "AuthorizationPolicy shop/p: spec.rules[0].to[0].operation.notPaths: expected array");
  CHECK(policy_error(R"({"rules":[{"to":"web"}]})").message
        == "AuthorizationPolicy shop/p: spec.rules[0].to: expected array");
}

TEST_CASE("a condition of the wrong type names the field", "[kube]") {
  CHECK(policy_error(R"({"rules":[{"when":[{"key":7}]}]})").message
        == "AuthorizationPolicy shop/p: spec.rules[0].when[0].key: expected string");
  CHECK(policy_error(R"({"rules":[{"when":[{"key":"k","values":"v"}]}]})").message
        == "AuthorizationPolicy shop/p: spec.rules[0].when[0].values: expected array");
  CHECK(policy_error(R"({"rules":[{"when":[{"key":"k","notValues":[true]}]}]})").message
        == "AuthorizationPolicy shop/p: spec.rules[0].when[0].notValues[0]: expected string");
}

TEST_CASE("metadata of the wrong type names the field", "[kube]") {
  auto e = err(decode_as<authorization_policy>(R"({"metadata":{"name":"p","labels":["a"]}})"));
  CHECK(e.message == "AuthorizationPolicy p: metadata.labels: expected object");
  e = err(decode_as<authorization_policy>(R"({"metadata":{"name":"p","annotations":{"a":{}}}})"));
  CHECK(e.message == "AuthorizationPolicy p: metadata.annotations[\"a\"]: expected string");
  e = err(decode_as<peer_authentication>(R"({"metadata":{"name":7}})"));
  CHECK(e.message == "PeerAuthentication: metadata.name: expected string");
}

TEST_CASE("a bad creation timestamp names the field", "[kube]") {
  auto e = err(decode_as<authorization_policy>(
      R"({"metadata":{"name":"p","namespace":"shop","creationTimestamp":"2024-02-30T00:00:00Z"}})"));
  CHECK(e.code == decode_errc::bad_field);
  CHECK(
      e.message
      == "AuthorizationPolicy shop/p: metadata.creationTimestamp: expected an RFC 3339 timestamp");
  e = err(decode_as<peer_authentication>(
      R"({"metadata":{"name":"pa","namespace":"shop","creationTimestamp":1714641247}})"));
  CHECK(e.message == "PeerAuthentication shop/pa: metadata.creationTimestamp: expected string");
}

TEST_CASE("an unknown mTLS mode names the field and the mode", "[kube]") {
  auto e = peer_error(R"({"mtls":{"mode":"strict"}})");
  CHECK(e.code == decode_errc::bad_field);
  CHECK(e.message
        == "PeerAuthentication shop/pa: spec.mtls.mode: expected UNSET, DISABLE, PERMISSIVE or "
           "STRICT, got strict");
  CHECK(peer_error(R"({"portLevelMtls":{"8080":{"mode":"OFF"}}})").message
        == "PeerAuthentication shop/pa: spec.portLevelMtls[\"8080\"].mode: expected UNSET, "
           "DISABLE, PERMISSIVE or STRICT, got OFF");
  CHECK(peer_error(R"({"mtls":{"mode":2}})").message
        == "PeerAuthentication shop/pa: spec.mtls.mode: expected string");
  CHECK(peer_error(R"({"mtls":"STRICT"})").message
        == "PeerAuthentication shop/pa: spec.mtls: expected object");
}

TEST_CASE("a port-level key that is not a port names the key", "[kube]") {
  for (const char* key : {"0", "65536", "http", "-1", "+80", " 80", "", "99999999999"}) {
    auto e = peer_error(std::string{R"({"portLevelMtls":{")"} + key + R"(":{"mode":"STRICT"}}})");
    CHECK(e.code == decode_errc::bad_field);
    CHECK(e.message
          == std::string{"PeerAuthentication shop/pa: spec.portLevelMtls[\""} + key
                 + "\"]: expected a port number (1-65535) as the key");
  }
  CHECK(peer_error(R"({"portLevelMtls":[{"8080":{}}]})").message
        == "PeerAuthentication shop/pa: spec.portLevelMtls: expected object");
  CHECK(peer_error(R"({"portLevelMtls":{"8080":"STRICT"}})").message
        == "PeerAuthentication shop/pa: spec.portLevelMtls[\"8080\"]: expected object");
}

TEST_CASE("a spec that is not an object names the spec", "[kube]") {
  CHECK(policy_error("[]").message == "AuthorizationPolicy shop/p: spec: expected object");
  CHECK(peer_error("\"STRICT\"").message == "PeerAuthentication shop/pa: spec: expected object");
}

TEST_CASE("input that is not one JSON object is malformed", "[kube]") {
  CHECK(err(decode_as<authorization_policy>("not json")).code == decode_errc::malformed_json);
  CHECK(err(decode_as<peer_authentication>("")).code == decode_errc::malformed_json);
  auto e = err(decode_as<authorization_policy>(R"(["AuthorizationPolicy"])"));
  CHECK(e.code == decode_errc::malformed_json);
  CHECK(e.message == "AuthorizationPolicy: malformed JSON: not an object");
  CHECK(err(decode_as<peer_authentication>(R"({"metadata":{"name":"pa"}} {})")).code
        == decode_errc::malformed_json);
  CHECK(err(decode_as<peer_authentication>(R"({"metadata":{"name":"pa"},"spec":{)")).code
        == decode_errc::malformed_json);
}

TEST_CASE("an object of another kind or without a name is refused", "[kube]") {
  auto e = err(decode_as<peer_authentication>(
      R"({"kind":"AuthorizationPolicy","metadata":{"namespace":"shop","name":"p"}})"));
  CHECK(e.code == decode_errc::wrong_kind);
  CHECK(e.message
        == "PeerAuthentication shop/p: kind: expected PeerAuthentication, got "
           "AuthorizationPolicy");
  e = err(decode_as<authorization_policy>(R"({"metadata":{"namespace":"shop"},"spec":{}})"));
  CHECK(e.code == decode_errc::missing_field);
  CHECK(e.message == "AuthorizationPolicy: metadata.name: missing");
}

TEST_CASE("input over the size limit is refused unparsed", "[kube]") {
  const std::string big
      = R"({"metadata":{"name":"p"},"spec":{"action":")" + std::string(2000, 'A') + R"("}})";
  const decode_limits small{1024};
  auto e = err(decode_as<authorization_policy>(big, small));
  CHECK(e.code == decode_errc::too_large);
  CHECK(e.message
        == "AuthorizationPolicy: " + std::to_string(big.size())
               + " bytes exceed the limit of 1024");
  CHECK(err(decode_as<peer_authentication>(big, small)).code == decode_errc::too_large);
  CHECK(std::holds_alternative<authorization_policy>(decode_as<authorization_policy>(big)));
}
