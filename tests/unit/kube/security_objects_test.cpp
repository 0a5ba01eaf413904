#include <catch2/catch.hpp>

#include <string>
#include <variant>

#include "kube/decode.hpp"
#include "kube/timestamp.hpp"

using namespace ambient::kube;

namespace {

/// An AuthorizationPolicy with every field the mesh reads, as the API server returns it.
const std::string policy_json = R"({
  "apiVersion": "security.istio.io/v1",
  "kind": "AuthorizationPolicy",
  "metadata": {
    "name": "allow-web",
    "namespace": "shop",
    "uid": "0c9f3b1e-2a4d-4e8b-9f61-7d5a2c3b4e10",
    "resourceVersion": "5512",
    "creationTimestamp": "2024-05-02T09:14:07Z",
    "generation": 3,
    "labels": {"istio.io/rev": "stable", "app": "web"},
    "annotations": {
      "istio.io/dry-run": "true",
      "kubectl.kubernetes.io/last-applied-configuration": "{\"kind\":\"AuthorizationPolicy\"}\n"
    }
  },
  "spec": {
    "selector": {"matchLabels": {"app": "web", "tier": "front"}},
    "action": "DENY",
    "provider": {"name": "ext-authz"},
    "rules": [
      {
        "from": [
          {"source": {
            "principals": ["cluster.local/ns/a/sa/x", "cluster.local/ns/a/sa/y"],
            "notPrincipals": ["np"],
            "requestPrincipals": ["rp"], "notRequestPrincipals": ["nrp"],
            "namespaces": ["a"], "notNamespaces": ["na"],
            "ipBlocks": ["10.0.0.0/8"], "notIpBlocks": ["10.1.0.0/16"],
            "remoteIpBlocks": ["192.0.2.0/24"], "notRemoteIpBlocks": ["192.0.2.1"],
            "serviceAccounts": ["a/x"], "notServiceAccounts": ["a/z"],
            "futureField": {"ignored": true}
          }},
          {"source": {"namespaces": ["b"]}},
          {}
        ],
        "to": [
          {"operation": {
            "hosts": ["web.shop"], "notHosts": ["admin.shop"],
            "ports": ["8080", "9090"], "notPorts": ["15021"],
            "methods": ["GET"], "notMethods": ["DELETE"],
            "paths": ["/api/*"], "notPaths": ["/admin"]
          }}
        ],
        "when": [
          {"key": "request.headers[x-team]", "values": ["blue"], "notValues": ["red"]},
          {"key": "destination.port"}
        ]
      },
      {}
    ]
  },
  "status": {"validationMessages": []}
})";

/// A PeerAuthentication with a selector, a mode and port-level modes.
const std::string peer_json = R"({
  "apiVersion": "security.istio.io/v1",
  "kind": "PeerAuthentication",
  "metadata": {
    "name": "strict-web",
    "namespace": "shop",
    "creationTimestamp": "2025-01-15T08:00:00Z",
    "labels": {"istio.io/rev": "stable"},
    "annotations": {"note": "kept"}
  },
  "spec": {
    "selector": {"matchLabels": {"app": "web"}},
    "mtls": {"mode": "STRICT"},
    "portLevelMtls": {
      "9090": {"mode": "DISABLE"},
      "8080": {"mode": "PERMISSIVE"},
      "65535": {"mode": "UNSET"},
      "15021": {}
    }
  }
})";

template <class T>
const T& ok(const decoded<T>& d) {
  if (const auto* e = std::get_if<decode_error>(&d))
    FAIL(e->message);
  return std::get<T>(d);
}

authorization_policy policy_with_spec(const std::string& spec) {
  auto d = decode_as<authorization_policy>(R"({"metadata":{"name":"p","namespace":"ns"},"spec":)"
                                           + spec + "}");
  return ok(d);
}

} // namespace

TEST_CASE("an authorization policy decodes every field the mesh reads", "[kube]") {
  auto d = decode_as<authorization_policy>(policy_json);
  const auto& p = ok(d);
  CHECK(p.meta.namespace_ == "shop");
  CHECK(p.meta.name == "allow-web");
  CHECK(p.creation_seconds == 1714641247);
  CHECK(p.meta.labels == string_map{{"app", "web"}, {"istio.io/rev", "stable"}});
  CHECK(p.meta.annotations == string_map{{"istio.io/dry-run", "true"}});
  REQUIRE(p.selector);
  CHECK(*p.selector == string_map{{"app", "web"}, {"tier", "front"}});
  CHECK_FALSE(p.has_target_refs);
  CHECK(p.action == "DENY");
  REQUIRE(p.rules.size() == 2);
  CHECK(p.rules[1] == authz_rule{});
  const auto& r = p.rules[0];
  REQUIRE(r.from.size() == 3);
  authz_source src;
  src.principals = {"cluster.local/ns/a/sa/x", "cluster.local/ns/a/sa/y"};
  src.not_principals = {"np"};
  src.request_principals = {"rp"};
  src.not_request_principals = {"nrp"};
  src.namespaces = {"a"};
  src.not_namespaces = {"na"};
  src.ip_blocks = {"10.0.0.0/8"};
  src.not_ip_blocks = {"10.1.0.0/16"};
  src.remote_ip_blocks = {"192.0.2.0/24"};
  src.not_remote_ip_blocks = {"192.0.2.1"};
  src.service_accounts = {"a/x"};
  src.not_service_accounts = {"a/z"};
  CHECK(r.from[0] == src);
  authz_source only_b;
  only_b.namespaces = {"b"};
  CHECK(r.from[1] == only_b);
  CHECK(r.from[2] == authz_source{});
  REQUIRE(r.to.size() == 1);
  authz_operation op;
  op.hosts = {"web.shop"};
  op.not_hosts = {"admin.shop"};
  op.ports = {"8080", "9090"};
  op.not_ports = {"15021"};
  op.methods = {"GET"};
  op.not_methods = {"DELETE"};
  op.paths = {"/api/*"};
  op.not_paths = {"/admin"};
  CHECK(r.to[0] == op);
  REQUIRE(r.when.size() == 2);
  CHECK(r.when[0] == authz_condition{"request.headers[x-team]", {"blue"}, {"red"}});
  CHECK(r.when[1] == authz_condition{"destination.port", {}, {}});
}

TEST_CASE("a peer authentication decodes its modes and port-level modes", "[kube]") {
  auto d = decode_as<peer_authentication>(peer_json);
  const auto& p = ok(d);
  CHECK(p.meta.namespace_ == "shop");
  CHECK(p.meta.name == "strict-web");
  CHECK(p.creation_seconds == 1736928000);
  CHECK(p.meta.labels == string_map{{"istio.io/rev", "stable"}});
  REQUIRE(p.selector);
  CHECK(*p.selector == string_map{{"app", "web"}});
  CHECK(p.mode == mtls_mode::strict);
  const std::map<uint32_t, mtls_mode> ports{{8080, mtls_mode::permissive},
                                            {9090, mtls_mode::disable},
                                            {15021, mtls_mode::unset},
                                            {65535, mtls_mode::unset}};
  CHECK(p.port_level_mtls == ports);
}

TEST_CASE("a peer authentication without a spec has no selector and an unset mode", "[kube]") {
  auto d = decode_as<peer_authentication>(
      R"({"metadata":{"name":"default","namespace":"istio-system"}})");
  const auto& p = ok(d);
  CHECK_FALSE(p.selector);
  CHECK(p.mode == mtls_mode::unset);
  CHECK(p.port_level_mtls.empty());
  CHECK(p.creation_seconds == 0);
  auto empty = decode_as<peer_authentication>(
      R"({"metadata":{"name":"d"},"spec":{"selector":{},"mtls":{}}})");
  REQUIRE(ok(empty).selector);
  CHECK(ok(empty).selector->empty());
  CHECK(ok(empty).mode == mtls_mode::unset);
}

TEST_CASE("an absent selector and an empty selector decode differently", "[kube]") {
  CHECK_FALSE(policy_with_spec(R"({"action":"ALLOW"})").selector);
  CHECK_FALSE(policy_with_spec(R"({"selector":null})").selector);
  auto empty = policy_with_spec(R"({"selector":{}})");
  REQUIRE(empty.selector);
  CHECK(empty.selector->empty());
  auto no_labels = policy_with_spec(R"({"selector":{"matchLabels":{}}})");
  REQUIRE(no_labels.selector);
  CHECK(no_labels.selector->empty());
}

TEST_CASE("a target reference or a non-empty target reference list marks a policy", "[kube]") {
  CHECK_FALSE(policy_with_spec("{}").has_target_refs);
  CHECK(policy_with_spec(R"({"targetRef":{"kind":"Gateway","name":"waypoint"}})").has_target_refs);
  CHECK(policy_with_spec(R"({"targetRefs":[{"kind":"Service","name":"web"}]})").has_target_refs);
  CHECK_FALSE(policy_with_spec(R"({"targetRefs":[]})").has_target_refs);
  CHECK_FALSE(policy_with_spec(R"({"targetRef":null,"targetRefs":null})").has_target_refs);
}

TEST_CASE("an empty rule list and an empty rule decode as written", "[kube]") {
  CHECK(policy_with_spec(R"({"rules":[]})").rules.empty());
  CHECK(policy_with_spec(R"({"rules":[{}]})").rules == std::vector<authz_rule>{authz_rule{}});
  CHECK(policy_with_spec(R"({"action":"AUDIT","rules":null})").action == "AUDIT");
}

TEST_CASE("RFC 3339 timestamps parse to whole seconds", "[kube]") {
  CHECK(parse_rfc3339_seconds("1970-01-01T00:00:00Z") == 0);
  CHECK(parse_rfc3339_seconds("2024-05-02T09:14:07Z") == 1714641247);
  CHECK(parse_rfc3339_seconds("2024-05-02T09:14:07.999999Z") == 1714641247);
  CHECK(parse_rfc3339_seconds("2024-05-02t11:14:07+02:00") == 1714641247);
  CHECK(parse_rfc3339_seconds("2024-05-02T08:14:07-01:00") == 1714641247);
  CHECK(parse_rfc3339_seconds("2024-02-29T23:59:59Z") == 1709251199);
  CHECK_FALSE(parse_rfc3339_seconds(""));
  CHECK_FALSE(parse_rfc3339_seconds("2023-02-29T00:00:00Z"));
  CHECK_FALSE(parse_rfc3339_seconds("2024-13-01T00:00:00Z"));
  CHECK_FALSE(parse_rfc3339_seconds("2024-05-02T24:00:00Z"));
  CHECK_FALSE(parse_rfc3339_seconds("2024-05-02T09:14:07"));
  CHECK_FALSE(parse_rfc3339_seconds("2024-05-02T09:14:07.Z"));
  CHECK_FALSE(parse_rfc3339_seconds("2024-05-02T09:14:07Zjunk"));
  CHECK_FALSE(parse_rfc3339_seconds("2024-05-02 09:14:07Z"));
  CHECK_FALSE(parse_rfc3339_seconds("yesterday"));
}
