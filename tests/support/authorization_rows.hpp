#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "mesh/authorization_policy.hpp"
#include "support/text_proto.hpp"

/// Table rows for the AuthorizationPolicy conversion tests: a base policy (demo/p, no selector,
/// action unset, no rules), builders for one-field rules, and the status messages expected.
namespace ambient::test {

/// A table row: what it shows, how it changes the base policy (demo/p, no selector, action
/// unset, no rules), the resource expected (a text proto; nullopt for none) and the status
/// message expected ("" for none).
struct row {
  const char* rule;
  std::function<void(mesh::authorization_policy&)> setup;
  std::optional<std::string> expected;
  std::string status;
};

/// The head every expected resource shares, then `rest`.
inline std::string head(const std::string& rest) {
  return "name: 'p' namespace: 'demo' " + rest;
}

inline std::string http_head(const std::string& found) {
  return "ztunnel cannot enforce HTTP attributes (found: " + found
         + "); a waypoint proxy is needed to enforce them. ";
}

inline std::string allow_dropped(const std::string& found) {
  return http_head(found)
         + "The ALLOW rules that use them are left out, so less traffic is allowed than the "
           "policy asks for.";
}

inline std::string deny_no_effect(const std::string& found) {
  return http_head(found)
         + "Without them no rule of this DENY policy can match at ztunnel, so it has no "
           "effect; attach it to a waypoint with a targetRef to enforce it.";
}

inline std::string deny_mixed(const std::string& found) {
  return http_head(found)
         + "The DENY rules are enforced without them, so more traffic may be denied than the "
           "policy asks for.";
}

/// A rule with one `from` entry allowing namespace `ns`.
inline mesh::authz_rule from_namespace(const std::string& ns) {
  mesh::authz_rule r;
  r.from.push_back({});
  r.from.back().namespaces = {ns};
  return r;
}

/// A rule with one `to` entry whose only field is set by `set`.
inline mesh::authz_rule to_with(const std::function<void(mesh::authz_operation&)>& set) {
  mesh::authz_rule r;
  r.to.push_back({});
  set(r.to.back());
  return r;
}

/// A rule with one `from` entry whose only field is set by `set`.
inline mesh::authz_rule from_with(const std::function<void(mesh::authz_source&)>& set) {
  mesh::authz_rule r;
  r.from.push_back({});
  set(r.from.back());
  return r;
}

/// A rule with one `when` entry on `key`.
inline mesh::authz_rule when_key(const std::string& key, std::vector<std::string> values) {
  mesh::authz_rule r;
  r.when.push_back({key, std::move(values), {}});
  return r;
}

/// Converts each row's policy and checks the resource and status.
inline void run(const std::vector<row>& rows) {
  for (const auto& r : rows) {
    INFO("rule: " << r.rule);
    mesh::authorization_policy ap;
    ap.meta.namespace_ = "demo";
    ap.meta.name = "p";
    r.setup(ap);
    auto got = mesh::convert_authorization_policy(ap, "istio-system");
    CHECK(got.authorization.has_value() == r.expected.has_value());
    if (got.authorization && r.expected)
      test::check_text_proto(*got.authorization, *r.expected);
    CHECK(got.status.value_or(mesh::policy_status{}).message == r.status);
    if (got.status)
      CHECK(got.status->reason == "UnsupportedValue");
  }
}

} // namespace ambient::test
