#include "mesh/authorization_policy.hpp"

#include <algorithm>
#include <array>
#include <set>

#include "mesh/authorization_values.hpp"

namespace ambient::mesh {

namespace sec = istio::security;

namespace {

/// The `when` keys ztunnel enforces (authorization.go, `l4WhenAttributes`).
constexpr std::array<std::string_view, 5> l4_when_keys{
    "source.ip", "source.namespace", "source.principal", "destination.ip", "destination.port"};

bool is_l4_when_key(std::string_view key) {
  return std::find(l4_when_keys.begin(), l4_when_keys.end(), key) != l4_when_keys.end();
}

/// Adds `field` to `found` when `values` is not empty; returns whether it did.
bool note(std::set<std::string>& found, const std::vector<std::string>& values, const char* field) {
  if (values.empty())
    return false;
  found.insert(field);
  return true;
}

/// Records the HTTP-only fields of `op` in `found`; returns whether there were any.
bool note_http_fields(const authz_operation& op, std::set<std::string>& found) {
  bool any = note(found, op.hosts, "hosts");
  any = note(found, op.not_hosts, "notHosts") || any;
  any = note(found, op.methods, "methods") || any;
  any = note(found, op.not_methods, "notMethods") || any;
  any = note(found, op.paths, "paths") || any;
  return note(found, op.not_paths, "notPaths") || any;
}

/// Records the HTTP-only fields of `src` in `found`; returns whether there were any.
bool note_http_fields(const authz_source& src, std::set<std::string>& found) {
  bool any = note(found, src.remote_ip_blocks, "remoteIpBlocks");
  any = note(found, src.not_remote_ip_blocks, "notRemoteIpBlocks") || any;
  any = note(found, src.request_principals, "requestPrincipals") || any;
  return note(found, src.not_request_principals, "notRequestPrincipals") || any;
}

/// The Match of one `when` entry: its values fill the field of its key, its notValues the not_
/// field. Any other key gives an empty Match.
sec::Match when_match(const authz_condition& c) {
  sec::Match m;
  if (c.key == "source.namespace") {
    add_string_matches(c.values, *m.mutable_namespaces());
    add_string_matches(c.not_values, *m.mutable_not_namespaces());
  } else if (c.key == "source.principal") {
    add_string_matches(c.values, *m.mutable_principals());
    add_string_matches(c.not_values, *m.mutable_not_principals());
  } else if (c.key == "source.ip") {
    add_addresses(c.values, *m.mutable_source_ips());
    add_addresses(c.not_values, *m.mutable_not_source_ips());
  } else if (c.key == "destination.ip") {
    add_addresses(c.values, *m.mutable_destination_ips());
    add_addresses(c.not_values, *m.mutable_not_destination_ips());
  } else if (c.key == "destination.port") {
    add_ports(c.values, *m.mutable_destination_ports());
    add_ports(c.not_values, *m.mutable_not_destination_ports());
  }
  return m;
}

/// Whether a Match that came out empty was emptied by leaving HTTP attributes out (`http`): the
/// clause could match some connections, but ztunnel cannot tell which.
bool emptied_by_http(const sec::Match& m, bool http) {
  return http && m.ByteSizeLong() == 0;
}

/// One rule as a Group: the to-Rules, the from-Rules, then one Rules per `when` entry
/// (authorization.go, `handleRule`). HTTP-only parts are left out and named in `found`; for ALLOW
/// a rule with any of them is dropped (nullopt). For DENY the rule is kept without them and, going
/// beyond istiod 1.28.3 (istio/istio#61126), a Rules entry one of whose alternatives held only
/// HTTP attributes is left out as well: that alternative may match any connection, so the entry
/// cannot narrow the rule at L4. istiod leaves an empty Match there, which ztunnel skips, so the
/// DENY never fires; left out, the rule denies at least what the policy denies.
std::optional<sec::Group> convert_rule(sec::Action action, const authz_rule& rule,
                                       const std::string& ns, std::set<std::string>& found) {
  bool http_found = false;
  bool deny = action == sec::DENY;
  sec::Group g;
  // The `to` or `from` part: one Rules, a Match per entry filled by `fill`.
  auto add_part = [&](const auto& entries, auto fill) {
    if (entries.empty())
      return;
    sec::Rules rules;
    bool any_http_only = false;
    for (const auto& entry : entries) {
      bool http = note_http_fields(entry, found);
      http_found = http || http_found;
      auto* m = rules.add_matches();
      fill(entry, *m);
      any_http_only = any_http_only || emptied_by_http(*m, http);
    }
    if (!(deny && any_http_only))
      *g.add_rules() = std::move(rules);
  };
  add_part(rule.to, [](const authz_operation& to, sec::Match& m) {
    add_ports(to.ports, *m.mutable_destination_ports());
    add_ports(to.not_ports, *m.mutable_not_destination_ports());
  });
  add_part(rule.from, [&ns](const authz_source& from, sec::Match& m) {
    add_addresses(from.ip_blocks, *m.mutable_source_ips());
    add_addresses(from.not_ip_blocks, *m.mutable_not_source_ips());
    add_string_matches(from.namespaces, *m.mutable_namespaces());
    add_string_matches(from.not_namespaces, *m.mutable_not_namespaces());
    add_service_accounts(from.service_accounts, ns, *m.mutable_service_accounts());
    add_service_accounts(from.not_service_accounts, ns, *m.mutable_not_service_accounts());
    add_string_matches(from.principals, *m.mutable_principals());
    add_string_matches(from.not_principals, *m.mutable_not_principals());
  });
  for (const auto& when : rule.when) {
    bool http = !is_l4_when_key(when.key);
    if (http) {
      http_found = true;
      found.insert(when.key);
    }
    auto m = when_match(when);
    if (!(deny && emptied_by_http(m, http)))
      *g.add_rules()->add_matches() = std::move(m);
  }
  if (action == sec::ALLOW && http_found)
    return std::nullopt;
  return g;
}

std::string join(const std::set<std::string>& names) {
  std::string out;
  for (const auto& n : names)
    out += (out.empty() ? "" : ", ") + n;
  return out;
}

/// The status for left-out HTTP attributes, in three variants as istio/istio#61126's fix
/// (commit fa33fa971ef) distinguishes them; the wording is ours.
policy_status http_status(const sec::Authorization& a, const std::set<std::string>& found) {
  std::string msg = "ztunnel cannot enforce HTTP attributes (found: " + join(found)
                    + "); a waypoint proxy is needed to enforce them. ";
  if (a.action() == sec::ALLOW)
    msg += "The ALLOW rules that use them are left out, so less traffic is allowed than the "
           "policy asks for.";
  else if (!has_effective_groups(a))
    msg += "Without them no rule of this DENY policy can match at ztunnel, so it has no effect; "
           "attach it to a waypoint with a targetRef to enforce it.";
  else
    msg += "The DENY rules are enforced without them, so more traffic may be denied than the "
           "policy asks for.";
  return {"UnsupportedValue", std::move(msg)};
}

} // namespace

bool go_parse_bool_true(std::string_view text) {
  return text == "1" || text == "t" || text == "T" || text == "TRUE" || text == "true"
         || text == "True";
}

bool has_effective_groups(const sec::Authorization& a) {
  for (const auto& g : a.groups()) {
    bool effective = true;
    for (const auto& rules : g.rules()) {
      bool any = false;
      for (const auto& m : rules.matches())
        any = any || m.ByteSizeLong() != 0;
      effective = effective && any;
    }
    if (effective)
      return true;
  }
  return false;
}

authorization_conversion convert_authorization_policy(const authorization_policy& ap,
                                                      const std::string& root_namespace) {
  authorization_conversion out;
  if (auto dry = kube::lookup(ap.meta.annotations, "istio.io/dry-run");
      dry && go_parse_bool_true(*dry))
    return out;
  if (ap.has_target_refs)
    return out;
  sec::Action action = sec::ALLOW;
  if (ap.action == "DENY") {
    action = sec::DENY;
  } else if (!ap.action.empty() && ap.action != "ALLOW") {
    out.status
        = policy_status{"UnsupportedValue", "ztunnel cannot enforce the " + ap.action + " action"};
    return out;
  }
  sec::Authorization a;
  a.set_name(ap.meta.name);
  a.set_namespace_(ap.meta.namespace_);
  if (ap.selector)
    a.set_scope(sec::WORKLOAD_SELECTOR);
  else
    a.set_scope(ap.meta.namespace_ == root_namespace ? sec::GLOBAL : sec::NAMESPACE);
  a.set_action(action);
  std::set<std::string> found;
  for (const auto& rule : ap.rules)
    if (auto g = convert_rule(action, rule, ap.meta.namespace_, found))
      *a.add_groups() = std::move(*g);
  if (!found.empty())
    out.status = http_status(a, found);
  out.authorization = std::move(a);
  return out;
}

} // namespace ambient::mesh
