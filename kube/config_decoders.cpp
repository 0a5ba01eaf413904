#include "kube/object_readers.hpp"

#include <utility>

#include "base/base64.hpp"

/// The body readers of the configuration kinds: Secrets, ConfigMaps, Leases and Gateways.
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

} // namespace ambient::kube::json
