#include "kube/object_readers.hpp"
#include "kube/security_objects.hpp"

#include <array>
#include <utility>

#include "base/decimal.hpp"

namespace ambient::kube {

namespace {

using json::ctx;
using json::path;
using json::od::value;

/// `spec.selector`: absent or null leaves nullopt; an object, even `{}`, gives its matchLabels.
bool read_selector(ctx& cx, value& v, const path& p, std::optional<string_map>& out) {
  const auto got = json::expect_type(cx, v, p, json::od::json_type::object, "object");
  if (got != json::presence::value)
    return got == json::presence::null;
  out.emplace();
  return json::each_field(cx, v, p, [&](std::string_view k, value& fv, const path& fp) {
    return k != "matchLabels" || json::read_map(cx, fv, fp, *out);
  });
}

/// A list of strings that replaces what `out` held (a repeated JSON key: the last wins).
bool read_list(ctx& cx, value& v, const path& p, std::vector<std::string>& out) {
  out.clear();
  return json::read_strings(cx, v, p, out);
}

/// A string list field of a struct, by its JSON name.
template <class T>
struct list_field {
  std::string_view name;
  std::vector<std::string> T::*member;
};

/// The lists of `rules[].from[].source`.
constexpr std::array<list_field<authz_source>, 12> source_fields{{
    {"principals", &authz_source::principals},
    {"notPrincipals", &authz_source::not_principals},
    {"requestPrincipals", &authz_source::request_principals},
    {"notRequestPrincipals", &authz_source::not_request_principals},
    {"namespaces", &authz_source::namespaces},
    {"notNamespaces", &authz_source::not_namespaces},
    {"ipBlocks", &authz_source::ip_blocks},
    {"notIpBlocks", &authz_source::not_ip_blocks},
    {"remoteIpBlocks", &authz_source::remote_ip_blocks},
    {"notRemoteIpBlocks", &authz_source::not_remote_ip_blocks},
    {"serviceAccounts", &authz_source::service_accounts},
    {"notServiceAccounts", &authz_source::not_service_accounts},
}};

/// The lists of `rules[].to[].operation`.
constexpr std::array<list_field<authz_operation>, 8> operation_fields{{
    {"hosts", &authz_operation::hosts},
    {"notHosts", &authz_operation::not_hosts},
    {"ports", &authz_operation::ports},
    {"notPorts", &authz_operation::not_ports},
    {"methods", &authz_operation::methods},
    {"notMethods", &authz_operation::not_methods},
    {"paths", &authz_operation::paths},
    {"notPaths", &authz_operation::not_paths},
}};

/// Reads the string lists of `fields` from an object into `out`; other keys are ignored.
template <class T, size_t N>
bool read_lists(ctx& cx, value& v, const path& p, const std::array<list_field<T>, N>& fields,
                T& out) {
  return json::each_field(cx, v, p, [&](std::string_view k, value& fv, const path& fp) {
    for (const auto& f : fields)
      if (f.name == k)
        return read_list(cx, fv, fp, out.*(f.member));
    return true;
  });
}

/// Reads `{"<key>": {...}}` with the string lists of `fields` inside: a `from[]` or `to[]` entry.
template <class T, size_t N>
bool read_entry(ctx& cx, value& v, const path& p, std::string_view key,
                const std::array<list_field<T>, N>& fields, T& out) {
  return json::each_field(cx, v, p, [&](std::string_view k, value& fv, const path& fp) {
    return k != key || read_lists(cx, fv, fp, fields, out);
  });
}

/// A `rules[].from[]` entry.
bool read_from(ctx& cx, value& v, const path& p, authz_source& out) {
  return read_entry(cx, v, p, "source", source_fields, out);
}

/// A `rules[].to[]` entry.
bool read_to(ctx& cx, value& v, const path& p, authz_operation& out) {
  return read_entry(cx, v, p, "operation", operation_fields, out);
}

/// A `rules[].when[]` entry.
bool read_condition(ctx& cx, value& v, const path& p, authz_condition& out) {
  return json::each_field(cx, v, p, [&](std::string_view k, value& fv, const path& fp) {
    if (k == "key")
      return json::read(cx, fv, fp, out.key);
    if (k == "values")
      return read_list(cx, fv, fp, out.values);
    if (k == "notValues")
      return read_list(cx, fv, fp, out.not_values);
    return true;
  });
}

/// A `spec.rules[]` entry.
bool read_rule(ctx& cx, value& v, const path& p, authz_rule& out) {
  return json::each_field(cx, v, p, [&](std::string_view k, value& fv, const path& fp) {
    if (k == "from") {
      out.from.clear();
      return json::read_each(cx, fv, fp, out.from, read_from);
    }
    if (k == "to") {
      out.to.clear();
      return json::read_each(cx, fv, fp, out.to, read_to);
    }
    if (k == "when") {
      out.when.clear();
      return json::read_each(cx, fv, fp, out.when, read_condition);
    }
    return true;
  });
}

/// `spec.targetRef` (an object) or `spec.targetRefs` (a list of objects): sets `out` when a
/// reference is there. What they reference is not read: the conversion skips such policies.
bool read_target_refs(ctx& cx, std::string_view k, value& v, const path& p, bool& out) {
  if (k == "targetRef") {
    const auto got = json::expect_type(cx, v, p, json::od::json_type::object, "object");
    out = out || got == json::presence::value;
    return got != json::presence::failed;
  }
  size_t refs = 0;
  bool ok = json::each_element(cx, v, p, [&](value& ev, const path& ep) {
    ++refs;
    const auto got = json::expect_type(cx, ev, ep, json::od::json_type::object, "object");
    if (got == json::presence::null)
      return cx.fail(decode_errc::bad_field, ep, "expected object");
    return got == json::presence::value;
  });
  out = out || refs > 0;
  return ok;
}

/// An mTLS mode by its API name; null leaves `out` as it is.
bool read_mode(ctx& cx, value& v, const path& p, mtls_mode& out) {
  std::string text;
  const auto got = json::expect_type(cx, v, p, json::od::json_type::string, "string");
  if (got != json::presence::value)
    return got == json::presence::null;
  if (!json::read(cx, v, p, text))
    return false;
  static constexpr std::array<std::pair<std::string_view, mtls_mode>, 4> modes{{
      {"UNSET", mtls_mode::unset},
      {"DISABLE", mtls_mode::disable},
      {"PERMISSIVE", mtls_mode::permissive},
      {"STRICT", mtls_mode::strict},
  }};
  for (const auto& [name, mode] : modes) {
    if (name == text) {
      out = mode;
      return true;
    }
  }
  return cx.fail(decode_errc::bad_field, p,
                 "expected UNSET, DISABLE, PERMISSIVE or STRICT, got " + text.substr(0, 64));
}

/// `{"mode": ...}`, the value of `spec.mtls` and of each `spec.portLevelMtls` entry.
bool read_mtls(ctx& cx, value& v, const path& p, mtls_mode& out) {
  return json::each_field(cx, v, p, [&](std::string_view k, value& fv, const path& fp) {
    return k != "mode" || read_mode(cx, fv, fp, out);
  });
}

/// `spec.portLevelMtls`: port numbers as keys (1 to 65535), `{"mode": ...}` as values.
bool read_port_level(ctx& cx, value& v, const path& p, std::map<uint32_t, mtls_mode>& out) {
  out.clear();
  return json::each_field(cx, v, p, [&](std::string_view k, value& fv, const path&) {
    const path kp = p.at_key(k);
    auto port = base::parse_decimal<uint32_t>(k);
    if (!port || *port < 1 || *port > 65535)
      return cx.fail(decode_errc::bad_field, kp, "expected a port number (1-65535) as the key");
    mtls_mode mode = mtls_mode::unset;
    if (!read_mtls(cx, fv, kp, mode))
      return false;
    out[*port] = mode;
    return true;
  });
}

} // namespace

bool json::read_body(ctx& cx, std::string_view k, value& v, const path& p,
                     authorization_policy& out) {
  if (k != "spec")
    return true;
  return json::each_field(cx, v, p, [&](std::string_view sk, value& sv, const path& sp) {
    if (sk == "selector")
      return read_selector(cx, sv, sp, out.selector);
    if (sk == "action")
      return json::read(cx, sv, sp, out.action);
    if (sk == "rules") {
      out.rules.clear();
      return json::read_each(cx, sv, sp, out.rules, read_rule);
    }
    if (sk == "targetRef" || sk == "targetRefs")
      return read_target_refs(cx, sk, sv, sp, out.has_target_refs);
    return true;
  });
}

bool json::read_body(ctx& cx, std::string_view k, value& v, const path& p,
                     peer_authentication& out) {
  if (k != "spec")
    return true;
  return json::each_field(cx, v, p, [&](std::string_view sk, value& sv, const path& sp) {
    if (sk == "selector")
      return read_selector(cx, sv, sp, out.selector);
    if (sk == "mtls")
      return read_mtls(cx, sv, sp, out.mode);
    if (sk == "portLevelMtls")
      return read_port_level(cx, sv, sp, out.port_level_mtls);
    return true;
  });
}

} // namespace ambient::kube
