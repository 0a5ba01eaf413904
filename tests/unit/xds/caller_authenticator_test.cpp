#include <catch2/catch.hpp>

#include <optional>
#include <string>
#include <vector>

#include "sim/pki.hpp"
#include "xds/caller_authenticator.hpp"
#include "xds/node_authorizer.hpp"
#include "xds/node_identity_check.hpp"
#include "xds/spiffe_id.hpp"

using namespace ambient::xds;
using Catch::Matchers::Contains;

namespace {

constexpr const char* ztunnel_id = "spiffe://cluster.local/ns/istio-system/sa/ztunnel";
constexpr const char* echo_id = "spiffe://cluster.local/ns/default/sa/echo";
constexpr const char* ztunnel_node
    = "ztunnel~10.0.0.5~ztunnel-x.istio-system~istio-system.svc.cluster.local";

const ambient::sim::certificate_authority& test_ca() {
  static auto ca = ambient::sim::certificate_authority::create("caller-test-ca");
  return ca;
}

/// The verdict, delivered inline or not at all (nullopt).
std::optional<caller_verdict> decide(const caller_authenticator& a, const call_credentials& c) {
  std::optional<caller_verdict> out;
  a.authenticate(c, [&](caller_verdict v) { out = std::move(v); });
  return out;
}

call_credentials over_tls(std::optional<std::string> cert = std::nullopt) {
  call_credentials c;
  c.transport_security_type = "ssl";
  c.cert_pem = std::move(cert);
  return c;
}

/// A token authenticator that answers every review with `verdict`, counting the calls.
token_authenticator answering(token_verdict verdict, int* calls) {
  return [verdict, calls](const call_credentials&, std::function<void(token_verdict)> done) {
    ++*calls;
    done(verdict);
  };
}

} // namespace

TEST_CASE("parse_spiffe_id reads Istio identities as istiod does", "[xds]") {
  auto id = parse_spiffe_id(ztunnel_id);
  REQUIRE(id);
  CHECK(id->trust_domain == "cluster.local");
  CHECK(id->namespace_ == "istio-system");
  CHECK(id->service_account == "ztunnel");
  CHECK(id->to_string() == ztunnel_id);
  for (const char* bad : {"", "spiffe://cluster.local/ns/a/sa", "spiffe://td/ns/a/sa/b/extra",
                          "spiffe://td/ns/a/serviceaccount/b", "spiffe://td/namespace/a/sa/b",
                          "http://td/ns/a/sa/b", "urn:x"})
    CHECK_FALSE(parse_spiffe_id(bad));
}

TEST_CASE("the config namespace is metadata NAMESPACE else the node id domain", "[xds]") {
  CHECK(config_namespace({ztunnel_node, "", ""}) == "istio-system");
  CHECK(config_namespace({ztunnel_node, "other", ""}) == "other");
  CHECK(config_namespace({"not-a-service-node", "", ""}).empty());
  CHECK(config_namespace({"a~b~c~nodots", "", ""}).empty());
  CHECK(config_namespace({"a~b~c~d.e~f", "", ""}).empty());
}

TEST_CASE("a node must claim the namespace and service account of the caller", "[xds]") {
  CHECK(node_identity_refusal({ztunnel_id}, {ztunnel_node, "istio-system", ""}).empty());
  CHECK(node_identity_refusal({ztunnel_id}, {ztunnel_node, "", ""}).empty());
  CHECK(node_identity_refusal({ztunnel_id}, {ztunnel_node, "", "ztunnel"}).empty());
  auto ns = node_identity_refusal({ztunnel_id}, {ztunnel_node, "default", ""});
  CHECK_THAT(ns, Contains("authorization failed"));
  CHECK_THAT(ns, Contains("\"default\""));
  CHECK_THAT(node_identity_refusal({ztunnel_id}, {ztunnel_node, "", "bookinfo"}),
             Contains("service account \"bookinfo\""));
  // Any one matching identity is enough; identities that are not Istio's are skipped.
  CHECK(node_identity_refusal({"spiffe://td/other", echo_id}, {"x", "default", "echo"}).empty());
  CHECK_FALSE(node_identity_refusal({"spiffe://td/other"}, {"x", "", ""}).empty());
  // Nothing claimed: any Istio identity passes, as in istiod.
  CHECK(node_identity_refusal({echo_id}, {"x", "", ""}).empty());
}

TEST_CASE("the plaintext listener admits every caller unauthenticated", "[xds]") {
  int calls = 0;
  caller_authenticator a{spiffe_allow_list{{echo_id}}, answering({}, &calls)};
  call_credentials plain;
  plain.transport_security_type = "insecure";
  plain.authorization = {"Bearer x"};
  auto v = decide(a, plain);
  REQUIRE(v);
  CHECK(v->ok());
  CHECK_FALSE(v->authenticated);
  CHECK(calls == 0);
}

TEST_CASE("a client certificate identity is admitted when allowed and wins over a token", "[xds]") {
  int calls = 0;
  caller_authenticator a{spiffe_allow_list{{"spiffe://cluster.local/ns/istio-system/*"}},
                         answering({}, &calls)};
  auto creds = over_tls(test_ca().issue_workload("", {ztunnel_id}).cert_pem);
  creds.authorization = {"Bearer x"};
  auto v = decide(a, creds);
  REQUIRE(v);
  CHECK(v->ok());
  CHECK(v->authenticated);
  CHECK(v->identities == std::vector<std::string>{ztunnel_id});
  CHECK_FALSE(v->token);
  CHECK(calls == 0);

  auto refused = decide(a, over_tls(test_ca().issue_workload("", {echo_id}).cert_pem));
  REQUIRE(refused);
  CHECK(refused->code == grpc::StatusCode::PERMISSION_DENIED);
  CHECK_THAT(refused->reason, Contains(echo_id));
}

TEST_CASE("a TLS caller without certificate or token is unauthenticated", "[xds]") {
  int calls = 0;
  caller_authenticator a{spiffe_allow_list{}, answering({}, &calls)};
  auto v = decide(a, over_tls());
  REQUIRE(v);
  CHECK(v->code == grpc::StatusCode::UNAUTHENTICATED);
  CHECK_THAT(v->reason, Contains("no bearer token"));
  auto no_id = decide(a, over_tls(test_ca().issue_client("client", {}).cert_pem));
  REQUIRE(no_id);
  CHECK(no_id->code == grpc::StatusCode::UNAUTHENTICATED);
  CHECK_THAT(no_id->reason, Contains("client certificate has no SPIFFE ID"));
  CHECK(calls == 0);
}

TEST_CASE("a token caller is admitted with the reviewed identity when allowed", "[xds]") {
  int calls = 0;
  token_verdict reviewed{"", ztunnel_id, "cluster-2", "ztunnel-x", "uid-1"};
  caller_authenticator a{spiffe_allow_list{{"spiffe://cluster.local/ns/istio-system/*"}},
                         answering(reviewed, &calls)};
  auto creds = over_tls();
  creds.authorization = {"Bearer a.b.c"};
  creds.cluster_ids = {"cluster-2"};
  auto v = decide(a, creds);
  REQUIRE(v);
  CHECK(v->ok());
  CHECK(v->authenticated);
  CHECK(v->identities == std::vector<std::string>{ztunnel_id});
  REQUIRE(v->token);
  CHECK(v->token->pod_uid == "uid-1");
  CHECK(calls == 1);

  // A certificate that proves nothing leaves the token to decide, as istiod's chain does.
  auto both = creds;
  both.cert_pem = test_ca().issue_client("client", {}).cert_pem;
  auto via_token = decide(a, both);
  REQUIRE(via_token);
  CHECK(via_token->ok());
  CHECK(calls == 2);
}

TEST_CASE("a refused or disallowed token caller gets the right status", "[xds]") {
  int calls = 0;
  auto creds = over_tls();
  creds.authorization = {"Bearer a.b.c"};
  caller_authenticator failing{spiffe_allow_list{},
                               answering({"token review failed: expired", "", "", "", ""}, &calls)};
  auto v = decide(failing, creds);
  REQUIRE(v);
  CHECK(v->code == grpc::StatusCode::UNAUTHENTICATED);
  CHECK(v->reason == "token review failed: expired");

  caller_authenticator listed{spiffe_allow_list{{ztunnel_id}},
                              answering({"", echo_id, "c", "", ""}, &calls)};
  auto denied = decide(listed, creds);
  REQUIRE(denied);
  CHECK(denied->code == grpc::StatusCode::PERMISSION_DENIED);
  CHECK_THAT(denied->reason, Contains(echo_id));

  caller_authenticator no_reviewer{spiffe_allow_list{}, {}};
  auto off = decide(no_reviewer, creds);
  REQUIRE(off);
  CHECK(off->code == grpc::StatusCode::UNAUTHENTICATED);
  CHECK_THAT(off->reason, Contains("token authentication is not enabled"));
}

TEST_CASE("a token verdict that comes later is delivered then", "[xds]") {
  std::function<void(token_verdict)> pending;
  caller_authenticator a{spiffe_allow_list{},
                         [&](const call_credentials&, std::function<void(token_verdict)> done) {
                           pending = std::move(done);
                         }};
  auto creds = over_tls();
  creds.authorization = {"Bearer a.b.c"};
  std::optional<caller_verdict> got;
  a.authenticate(creds, [&](caller_verdict v) { got = std::move(v); });
  CHECK_FALSE(got);
  REQUIRE(pending);
  pending({"", echo_id, "c", "", ""});
  REQUIRE(got);
  CHECK(got->ok());
}

TEST_CASE("only a trusted node agent with a pod-bound token gets a pod query", "[xds]") {
  auto trusted = parse_trusted_node_accounts({"istio-system/ztunnel"});
  caller_verdict node_agent;
  node_agent.authenticated = true;
  node_agent.identities = {ztunnel_id};
  node_agent.token = token_verdict{"", ztunnel_id, "cluster-2", "ztunnel-x", "uid-1"};
  auto q = impersonation_query_for(node_agent, echo_id, trusted);
  REQUIRE(std::holds_alternative<ambient::mesh::impersonation_query>(q));
  const auto& query = std::get<ambient::mesh::impersonation_query>(q);
  CHECK(query.cluster_id == "cluster-2");
  CHECK(query.caller_pod == "ztunnel-x");
  CHECK(query.caller_pod_uid == "uid-1");
  CHECK(query.target_namespace == "default");
  CHECK(query.target_service_account == "echo");

  auto refusal = [&](const caller_verdict& v, const std::string& wanted) {
    auto r = impersonation_query_for(v, wanted, trusted);
    REQUIRE(std::holds_alternative<std::string>(r));
    return std::get<std::string>(r);
  };
  CHECK_THAT(refusal(node_agent, "urn:x"), Contains("not an Istio SPIFFE identity"));
  auto by_cert = node_agent;
  by_cert.token.reset();
  CHECK_THAT(refusal(by_cert, echo_id), Contains("service-account token"));
  auto unbound = node_agent;
  unbound.token->pod_name.clear();
  CHECK_THAT(refusal(unbound, echo_id), Contains("not bound to a pod"));
  auto app = node_agent;
  app.identities = {echo_id};
  CHECK_THAT(refusal(app, ztunnel_id), Contains("default/echo is not a trusted node account"));
}

TEST_CASE("trusted node accounts must be namespace and service account", "[xds]") {
  CHECK(parse_trusted_node_accounts({"a/b", "c/d"}).size() == 2);
  for (const char* bad : {"ztunnel", "/b", "a/", "a/b/c"})
    CHECK_THROWS_WITH(parse_trusted_node_accounts({bad}), Contains(bad));
}
