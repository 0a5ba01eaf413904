#include "kube/object_readers.hpp"

#include <utility>

/// The body readers of the kinds a workload is built from: Pods, Services, Namespaces, Nodes and
/// EndpointSlices.
namespace ambient::kube::json {

namespace {

// -- pods ---------------------------------------------------------------------------------------

bool read_container_port(ctx& cx, od::value& v, const path& p, container_port& out) {
  return each_field(cx, v, p, [&](std::string_view k, od::value& fv, const path& fp) {
    if (k == "name")
      return read(cx, fv, fp, out.name);
    if (k == "containerPort")
      return read_port(cx, fv, fp, out.port);
    if (k == "protocol")
      return read(cx, fv, fp, out.protocol);
    return true;
  });
}

bool read_pod_spec(ctx& cx, od::value& v, const path& p, pod& out) {
  std::string legacy_account; // spec.serviceAccount, deprecated
  bool ok = each_field(cx, v, p, [&](std::string_view k, od::value& fv, const path& fp) {
    if (k == "nodeName")
      return read(cx, fv, fp, out.node_name);
    if (k == "serviceAccountName")
      return read(cx, fv, fp, out.service_account);
    if (k == "serviceAccount")
      return read(cx, fv, fp, legacy_account);
    if (k == "hostNetwork")
      return read(cx, fv, fp, out.host_network);
    if (k != "containers")
      return true;
    return each_element(cx, fv, fp, [&](od::value& cv, const path& cp) {
      return each_field(cx, cv, cp, [&](std::string_view ck, od::value& pv, const path& pp) {
        return ck != "ports" || read_each(cx, pv, pp, out.ports, read_container_port);
      });
    });
  });
  if (out.service_account.empty())
    out.service_account = std::move(legacy_account);
  return ok;
}

bool read_pod_status(ctx& cx, od::value& v, const path& p, pod& out) {
  return each_field(cx, v, p, [&](std::string_view k, od::value& fv, const path& fp) {
    if (k == "phase")
      return read(cx, fv, fp, out.phase);
    if (k == "podIP")
      return read(cx, fv, fp, out.pod_ip);
    if (k == "hostIP")
      return read(cx, fv, fp, out.host_ip);
    if (k == "podIPs") {
      return each_element(cx, fv, fp, [&](od::value& ev, const path& ep) {
        return each_field(cx, ev, ep, [&](std::string_view ik, od::value& iv, const path& ip) {
          if (ik != "ip")
            return true;
          std::string addr;
          if (!read(cx, iv, ip, addr))
            return false;
          out.pod_ips.push_back(std::move(addr));
          return true;
        });
      });
    }
    if (k == "conditions") {
      return each_element(cx, fv, fp, [&](od::value& ev, const path& ep) {
        std::string type, status;
        bool ok = each_field(cx, ev, ep, [&](std::string_view ck, od::value& cv, const path& cp) {
          if (ck == "type")
            return read(cx, cv, cp, type);
          if (ck == "status")
            return read(cx, cv, cp, status);
          return true;
        });
        if (ok && type == "Ready")
          out.ready = status == "True";
        return ok;
      });
    }
    return true;
  });
}

} // namespace

bool read_body(ctx& cx, std::string_view k, od::value& v, const path& p, pod& out) {
  if (k == "spec")
    return read_pod_spec(cx, v, p, out);
  if (k == "status")
    return read_pod_status(cx, v, p, out);
  return true;
}

void finish(pod& out) {
  if (out.pod_ips.empty() && !out.pod_ip.empty())
    out.pod_ips.push_back(out.pod_ip);
}

// -- services -----------------------------------------------------------------------------------

namespace {

bool read_service_port(ctx& cx, od::value& v, const path& p, service_port& out) {
  bool ok = each_field(cx, v, p, [&](std::string_view k, od::value& fv, const path& fp) {
    if (k == "name")
      return read(cx, fv, fp, out.name);
    if (k == "protocol")
      return read(cx, fv, fp, out.protocol);
    if (k == "appProtocol")
      return read(cx, fv, fp, out.app_protocol);
    if (k == "port")
      return read_port(cx, fv, fp, out.port);
    if (k != "targetPort")
      return true;
    od::json_type t;
    if (!peek_type(cx, fv, fp, t))
      return false;
    if (t == od::json_type::number)
      return read_port(cx, fv, fp, out.target_port_number);
    if (t == od::json_type::string)
      return read(cx, fv, fp, out.target_port_name);
    if (t == od::json_type::null)
      return true;
    return cx.fail(decode_errc::bad_field, fp, "expected integer or string");
  });
  if (ok && out.target_port_number == 0 && out.target_port_name.empty())
    out.target_port_number = out.port;
  return ok;
}

} // namespace

bool read_body(ctx& cx, std::string_view k, od::value& v, const path& p, service& out) {
  if (k != "spec")
    return true;
  return each_field(cx, v, p, [&](std::string_view sk, od::value& fv, const path& fp) {
    if (sk == "type")
      return read(cx, fv, fp, out.type);
    if (sk == "clusterIP")
      return read(cx, fv, fp, out.cluster_ip);
    if (sk == "clusterIPs")
      return read_strings(cx, fv, fp, out.cluster_ips);
    if (sk == "ipFamilies")
      return read_strings(cx, fv, fp, out.ip_families);
    if (sk == "externalIPs")
      return read_strings(cx, fv, fp, out.external_ips);
    if (sk == "selector")
      return read_map(cx, fv, fp, out.selector);
    if (sk == "ports")
      return read_each(cx, fv, fp, out.ports, read_service_port);
    if (sk == "internalTrafficPolicy")
      return read(cx, fv, fp, out.internal_traffic_policy);
    if (sk == "trafficDistribution")
      return read(cx, fv, fp, out.traffic_distribution);
    if (sk == "externalName")
      return read(cx, fv, fp, out.external_name);
    if (sk == "publishNotReadyAddresses")
      return read(cx, fv, fp, out.publish_not_ready_addresses);
    return true;
  });
}

void finish(service& out) {
  if (out.cluster_ips.empty() && !out.cluster_ip.empty())
    out.cluster_ips.push_back(out.cluster_ip);
  out.headless = out.cluster_ip == "None";
}

// -- namespaces and nodes -----------------------------------------------------------------------

bool read_body(ctx& cx, std::string_view k, od::value& v, const path& p, namespace_& out) {
  if (k != "status")
    return true;
  return each_field(cx, v, p, [&](std::string_view sk, od::value& fv, const path& fp) {
    if (sk != "phase")
      return true;
    std::string phase;
    if (!read(cx, fv, fp, phase))
      return false;
    out.terminating = phase == "Terminating";
    return true;
  });
}

bool read_body(ctx& cx, std::string_view k, od::value& v, const path& p, node& out) {
  if (k != "status")
    return true;
  return each_field(cx, v, p, [&](std::string_view sk, od::value& fv, const path& fp) {
    if (sk != "addresses")
      return true;
    return each_element(cx, fv, fp, [&](od::value& ev, const path& ep) {
      std::string type, address;
      bool ok = each_field(cx, ev, ep, [&](std::string_view ak, od::value& av, const path& ap) {
        if (ak == "type")
          return read(cx, av, ap, type);
        if (ak == "address")
          return read(cx, av, ap, address);
        return true;
      });
      if (ok && type == "InternalIP" && out.internal_ip.empty())
        out.internal_ip = std::move(address);
      return ok;
    });
  });
}

// -- endpoint slices ----------------------------------------------------------------------------

namespace {

bool read_endpoint(ctx& cx, od::value& v, const path& p, endpoint_slice::endpoint& out) {
  return each_field(cx, v, p, [&](std::string_view k, od::value& fv, const path& fp) {
    if (k == "addresses")
      return read_strings(cx, fv, fp, out.addresses);
    if (k == "nodeName")
      return read(cx, fv, fp, out.node_name);
    if (k == "conditions") {
      return each_field(cx, fv, fp, [&](std::string_view ck, od::value& cv, const path& cp) {
        return ck != "ready" || read(cx, cv, cp, out.ready);
      });
    }
    if (k == "targetRef") {
      return each_field(cx, fv, fp, [&](std::string_view rk, od::value& rv, const path& rp) {
        if (rk == "kind")
          return read(cx, rv, rp, out.target_kind);
        if (rk == "namespace")
          return read(cx, rv, rp, out.target_namespace);
        if (rk == "name")
          return read(cx, rv, rp, out.target_name);
        if (rk == "uid")
          return read(cx, rv, rp, out.target_uid);
        return true;
      });
    }
    return true;
  });
}

bool read_endpoint_port(ctx& cx, od::value& v, const path& p, endpoint_slice::port& out) {
  return each_field(cx, v, p, [&](std::string_view k, od::value& fv, const path& fp) {
    if (k == "name")
      return read(cx, fv, fp, out.name.emplace());
    if (k == "protocol")
      return read(cx, fv, fp, out.protocol.emplace());
    if (k == "port")
      return read_port(cx, fv, fp, out.port);
    return true;
  });
}

} // namespace

bool read_body(ctx& cx, std::string_view k, od::value& v, const path& p, endpoint_slice& out) {
  if (k == "addressType")
    return read(cx, v, p, out.address_type);
  if (k == "endpoints")
    return read_each(cx, v, p, out.endpoints, read_endpoint);
  if (k == "ports")
    return read_each(cx, v, p, out.ports, read_endpoint_port);
  return true;
}

void finish(endpoint_slice& out) {
  if (auto name = lookup(out.meta.labels, "kubernetes.io/service-name"))
    out.service_name = std::string{*name};
}

} // namespace ambient::kube::json
