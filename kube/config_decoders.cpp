#include "kube/object_readers.hpp"

#include <utility>

#include "base/base64.hpp"

/// The body readers of the configuration kinds: Secrets, ConfigMaps, Leases, Gateways and
/// GatewayClasses.
namespace ambient::kube::json {

// -- secrets, config maps, leases ---------------------------------------------------------------

bool read_body(ctx& cx, std::string_view k, od::value& v, const path& p, secret& out) {
  if (k == "type")
    return read(cx, v, p, out.type);
  if (k != "data")
    return true;
  out.data.clear();
  bool ok = each_field(cx, v, p, [&](std::string_view dk, od::value& dv, const path&) {
    const path kp = p.at_key(dk);
    std::string text;
    if (!read(cx, dv, kp, text))
      return false;
    auto bytes = base::decode_base64(text);
    if (!bytes)
      return cx.fail(decode_errc::bad_field, kp, "invalid base64"); // never echo the value
    out.data.emplace_back(std::string{dk}, std::move(*bytes));
    return true;
  });
  if (ok)
    normalize(out.data);
  return ok;
}

bool read_body(ctx& cx, std::string_view k, od::value& v, const path& p, config_map& out) {
  return k != "data" || read_map(cx, v, p, out.data);
}

bool read_body(ctx& cx, std::string_view k, od::value& v, const path& p, lease& out) {
  if (k != "spec")
    return true;
  return each_field(cx, v, p, [&](std::string_view sk, od::value& fv, const path& fp) {
    if (sk == "holderIdentity")
      return read(cx, fv, fp, out.holder_identity);
    if (sk == "acquireTime")
      return read(cx, fv, fp, out.acquire_time);
    if (sk == "renewTime")
      return read(cx, fv, fp, out.renew_time);
    if (sk == "leaseDurationSeconds")
      return read(cx, fv, fp, out.lease_duration_seconds);
    if (sk == "leaseTransitions")
      return read(cx, fv, fp, out.lease_transitions);
    return true;
  });
}

// -- gateways -----------------------------------------------------------------------------------

namespace {

bool read_requirement(ctx& cx, od::value& v, const path& p, raw_label_selector::requirement& out) {
  return each_field(cx, v, p, [&](std::string_view k, od::value& fv, const path& fp) {
    if (k == "key")
      return read(cx, fv, fp, out.key);
    if (k == "operator")
      return read(cx, fv, fp, out.op);
    if (k == "values")
      return read_strings(cx, fv, fp, out.values);
    return true;
  });
}

bool read_label_selector(ctx& cx, od::value& v, const path& p, raw_label_selector& out) {
  return each_field(cx, v, p, [&](std::string_view k, od::value& fv, const path& fp) {
    if (k == "matchLabels")
      return read_map(cx, fv, fp, out.match_labels);
    if (k == "matchExpressions")
      return read_each(cx, fv, fp, out.match_expressions, read_requirement);
    return true;
  });
}

/// spec.listeners[].allowedRoutes.namespaces: `from` and `selector`.
bool read_route_namespaces(ctx& cx, od::value& v, const path& p, gateway::listener& out) {
  out.has_route_namespaces = true;
  return each_field(cx, v, p, [&](std::string_view k, od::value& fv, const path& fp) {
    if (k == "from")
      return read(cx, fv, fp, out.routes_from);
    if (k == "selector")
      return read_label_selector(cx, fv, fp, out.routes_selector.emplace());
    return true;
  });
}

bool read_listener(ctx& cx, od::value& v, const path& p, gateway::listener& out) {
  return each_field(cx, v, p, [&](std::string_view k, od::value& fv, const path& fp) {
    if (k == "name")
      return read(cx, fv, fp, out.name);
    if (k == "protocol")
      return read(cx, fv, fp, out.protocol);
    if (k == "port")
      return read_port(cx, fv, fp, out.port);
    if (k == "tls") {
      return each_field(cx, fv, fp, [&](std::string_view tk, od::value& tv, const path& tp) {
        return tk != "mode" || read(cx, tv, tp, out.tls_mode);
      });
    }
    if (k == "allowedRoutes")
      return each_field(cx, fv, fp, [&](std::string_view rk, od::value& rv, const path& rp) {
        return rk != "namespaces" || read_route_namespaces(cx, rv, rp, out);
      });
    return true;
  });
}

} // namespace

bool read_body(ctx& cx, std::string_view k, od::value& v, const path& p, gateway& out) {
  if (k == "spec") {
    return each_field(cx, v, p, [&](std::string_view sk, od::value& fv, const path& fp) {
      if (sk == "gatewayClassName")
        return read(cx, fv, fp, out.gateway_class);
      if (sk == "listeners")
        return read_each(cx, fv, fp, out.listeners, read_listener);
      return true;
    });
  }
  if (k == "status") {
    return each_field(cx, v, p, [&](std::string_view sk, od::value& fv, const path& fp) {
      if (sk != "addresses")
        return true;
      return read_each(cx, fv, fp, out.addresses,
                       [](ctx& c, od::value& ev, const path& ep, gateway::address& a) {
                         return each_field(c, ev, ep,
                                           [&](std::string_view ak, od::value& av, const path& ap) {
                                             if (ak == "type")
                                               return read(c, av, ap, a.type);
                                             if (ak == "value")
                                               return read(c, av, ap, a.value);
                                             return true;
                                           });
                       });
    });
  }
  return true;
}

bool read_body(ctx& cx, std::string_view k, od::value& v, const path& p, gateway_class& out) {
  if (k != "spec")
    return true;
  return each_field(cx, v, p, [&](std::string_view sk, od::value& fv, const path& fp) {
    return sk != "controllerName" || read(cx, fv, fp, out.controller_name);
  });
}

} // namespace ambient::kube::json
