#include "mesh/peer_authentication.hpp"

#include <tuple>

namespace ambient::mesh {

namespace sec = istio::security;

namespace {

bool is_strict(const peer_authentication* pa) {
  return pa != nullptr && pa->mode == mtls_mode::strict;
}

bool is_unset(const peer_authentication* pa) {
  return pa == nullptr || pa->mode == mtls_mode::unset;
}

/// `{not_principals: [presence]}`: the connection has no peer identity (plaintext).
sec::Match plaintext_match() {
  sec::Match m;
  m.add_not_principals()->mutable_presence();
  return m;
}

/// A Rules entry holding only `m`.
sec::Rules rules_of(sec::Match m) {
  sec::Rules r;
  *r.add_matches() = std::move(m);
  return r;
}

} // namespace

sec::Authorization static_strict_policy(const std::string& root_namespace) {
  sec::Authorization a;
  a.set_name(std::string{static_strict_policy_name});
  a.set_namespace_(root_namespace);
  a.set_scope(sec::WORKLOAD_SELECTOR);
  a.set_action(sec::DENY);
  *a.add_groups()->add_rules() = rules_of(plaintext_match());
  return a;
}

std::string converted_peer_authentication_name(std::string_view pa_name) {
  return "converted_peer_authentication_" + std::string{pa_name};
}

bool older(const peer_authentication& a, const peer_authentication& b) {
  return std::tie(a.creation_seconds, a.meta.namespace_, a.meta.name)
         < std::tie(b.creation_seconds, b.meta.namespace_, b.meta.name);
}

const peer_authentication* oldest_selectorless(const std::vector<peer_authentication>& pas,
                                               std::string_view ns) {
  const peer_authentication* best = nullptr;
  for (const auto& pa : pas)
    if (pa.meta.namespace_ == ns && !pa.selector && (best == nullptr || older(pa, *best)))
      best = &pa;
  return best;
}

std::optional<sec::Authorization> convert_peer_authentication(const peer_authentication& pa,
                                                              const peer_authentication* ns_pol,
                                                              const peer_authentication* root_pol,
                                                              const std::string& root_namespace) {
  if (pa.meta.namespace_ == root_namespace || !pa.selector || pa.port_level_mtls.empty())
    return std::nullopt;
  const mtls_mode mode = pa.mode;
  std::vector<sec::Rules> rules;
  sec::Authorization a;
  if (mode == mtls_mode::strict)
    rules.push_back(rules_of(plaintext_match()));
  bool found_non_strict_port = false;
  for (const auto& [port, port_mode] : pa.port_level_mtls) {
    if (port_mode == mtls_mode::strict) {
      // A parent that enforces STRICT already covers this port. Go's `a || b && c || d` binds as
      // `a || (b && c) || d`, so a STRICT root policy with no or an UNSET namespace policy skips
      // the port whatever the workload mode (authorization.go:278-282; see docs/authorization.md).
      const bool parent_strict = mode == mtls_mode::strict
                                 || (mode == mtls_mode::unset && is_strict(ns_pol))
                                 || (is_unset(ns_pol) && is_strict(root_pol));
      if (parent_strict)
        continue;
      auto m = plaintext_match();
      m.add_destination_ports(port);
      *a.add_groups()->add_rules() = rules_of(std::move(m));
    } else if (port_mode == mtls_mode::permissive || port_mode == mtls_mode::disable) {
      if (mode == mtls_mode::permissive || mode == mtls_mode::disable)
        continue;
      // Only an UNSET namespace policy inherits from the root one here; an UNSET workload mode
      // with an UNSET namespace policy and a STRICT root policy skips the port (see the docs).
      if (mode == mtls_mode::unset
          && ((ns_pol != nullptr && !is_strict(ns_pol))
              || (ns_pol == nullptr && root_pol != nullptr && !is_strict(root_pol))
              || (ns_pol == nullptr && root_pol == nullptr)))
        continue;
      found_non_strict_port = true;
      sec::Match m;
      m.add_not_destination_ports(port);
      rules.push_back(rules_of(std::move(m)));
    }
  }
  if (mode == mtls_mode::strict && !found_non_strict_port)
    return std::nullopt;
  if (rules.empty() && a.groups().empty())
    return std::nullopt;
  // Merge the inherited STRICT mode in, so the workload can list this policy instead of the
  // static one (a DENY match anywhere denies, so an exemption must live in the same policy).
  const bool merge_strict
      = (is_strict(root_pol) && (is_unset(ns_pol) || is_strict(ns_pol))) || is_strict(ns_pol);
  if (merge_strict && found_non_strict_port)
    rules.push_back(rules_of(plaintext_match()));
  if (!rules.empty()) {
    auto* g = a.add_groups();
    for (auto& r : rules)
      *g->add_rules() = std::move(r);
  }
  a.set_name(converted_peer_authentication_name(pa.meta.name));
  a.set_namespace_(pa.meta.namespace_);
  a.set_scope(sec::WORKLOAD_SELECTOR);
  a.set_action(sec::DENY);
  return a;
}

std::vector<sec::Authorization>
peer_authentication_resources(const std::vector<peer_authentication>& pas,
                              const std::string& root_namespace) {
  std::vector<sec::Authorization> out;
  if (pas.empty())
    return out;
  out.push_back(static_strict_policy(root_namespace));
  const auto* root_pol = oldest_selectorless(pas, root_namespace);
  for (const auto& pa : pas)
    if (auto a = convert_peer_authentication(pa, oldest_selectorless(pas, pa.meta.namespace_),
                                             root_pol, root_namespace))
      out.push_back(std::move(*a));
  return out;
}

} // namespace ambient::mesh
