#include "mesh/waypoint.hpp"

#include <algorithm>
#include <limits>

#include "mesh/context.hpp"

namespace ambient::mesh {

namespace {

using istio::workload::ApplicationTunnel;

/// The listener protocol a PROXY binding without a port attaches through (constants.go:177).
constexpr std::string_view proxy_listener_protocol = "istio.io/PROXY";

/// strconv.ParseUint(text, 10, 32) as istiod uses it: 0 for a syntax error, the maximum for a
/// number too large (both also logged there); `ok` says whether it parsed.
uint32_t parse_port(std::string_view text, bool& ok) {
  ok = !text.empty()
       && std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
  if (!ok)
    return 0;
  uint64_t v = 0;
  for (char c : text) {
    v = v * 10 + static_cast<uint64_t>(c - '0');
    if (v > std::numeric_limits<uint32_t>::max()) {
      ok = false;
      return std::numeric_limits<uint32_t>::max();
    }
  }
  return static_cast<uint32_t>(v);
}

/// The annotation on the Gateway, else on its class (waypoints.go:386-401), parsed as
/// `<protocol>[/<port>]` with protocol NONE or PROXY (:346-384).
std::optional<inbound_binding> make_binding(const kube::gateway& gw, const kube::gateway_class* cls,
                                            skip_log& skips, std::string_view cluster) {
  auto value = kube::lookup(gw.meta.annotations, inbound_binding_annotation);
  if (!value && cls != nullptr)
    value = kube::lookup(cls->meta.annotations, inbound_binding_annotation);
  if (!value)
    return std::nullopt;
  auto refuse = [&](std::string why) {
    skips.add(skip_reason::waypoint_binding_annotation, std::string{cluster},
              kube::object_key(gw.meta), std::move(why));
  };
  std::string_view text = *value;
  auto slash = text.find('/');
  std::string_view protocol = text.substr(0, slash);
  std::optional<std::string_view> port_text;
  if (slash != std::string_view::npos) {
    port_text = text.substr(slash + 1);
    if (port_text->find('/') != std::string_view::npos) {
      refuse("inbound binding " + quoted(text) + " is not <protocol> or <protocol>/<port>");
      return std::nullopt;
    }
  }
  inbound_binding out;
  if (protocol == "NONE") {
    out.protocol = ApplicationTunnel::NONE;
  } else if (protocol == "PROXY") {
    out.protocol = ApplicationTunnel::PROXY;
  } else {
    refuse("inbound binding protocol " + quoted(protocol) + " is neither NONE nor PROXY");
    return std::nullopt;
  }
  if (port_text) {
    bool ok = false;
    out.port = parse_port(*port_text, ok);
    if (!ok) // istiod logs it and still binds, with the port ParseUint gave
      refuse("inbound binding port " + quoted(*port_text) + " is not a port");
  }
  return out;
}

attachment_rule rule_of(const kube::gateway::listener& l, const kube::gateway& gw, skip_log& skips,
                        std::string_view cluster) {
  attachment_rule out;
  if (!l.has_route_namespaces)
    return out;
  if (l.routes_from == "All")
    out.from = attachment_rule::source::all;
  else if (l.routes_from == "Selector")
    out.from = attachment_rule::source::selector;
  // "Same", absent, or anything else: Same (waypoints.go:477-479, :491-493).
  if (!l.routes_selector)
    return out; // LabelSelectorAsSelector(nil) is labels.Nothing()
  std::vector<label_requirement> reqs;
  for (const auto& r : l.routes_selector->match_expressions) {
    auto op = parse_selector_operator(r.op);
    if (!op) {
      skips.add(skip_reason::waypoint_bad_selector, std::string{cluster}, kube::object_key(gw.meta),
                "listener " + l.name + ": operator " + quoted(r.op) + " is not valid");
      return out;
    }
    reqs.push_back({r.key, *op, r.values});
  }
  auto made = label_selector::make(l.routes_selector->match_labels, std::move(reqs),
                                   "allowedRoutes.namespaces.selector");
  if (auto* e = std::get_if<config_error>(&made)) {
    // istiod keeps a nil selector here and would panic matching it; ambientd denies.
    skips.add(skip_reason::waypoint_bad_selector, std::string{cluster}, kube::object_key(gw.meta),
              "listener " + l.name + ": " + e->message);
    return out;
  }
  out.selector = std::get<label_selector>(std::move(made));
  return out;
}

/// The listener that decides attachment: the bound one, else the HBONE listener on 15008
/// (makeAllowedRoutes, waypoints.go:458-478); none gives Same.
attachment_rule make_attachment(const kube::gateway& gw, const std::optional<inbound_binding>& b,
                                skip_log& skips, std::string_view cluster) {
  if (b && (b->port != 0 || b->protocol == ApplicationTunnel::PROXY))
    for (const auto& l : gw.listeners)
      if (b->port != 0 ? l.port == static_cast<int64_t>(b->port)
                       : l.protocol == proxy_listener_protocol)
        return rule_of(l, gw, skips, cluster);
  for (const auto& l : gw.listeners)
    if (l.protocol == "HBONE" && l.port == static_cast<int32_t>(waypoint_hbone_port))
      return rule_of(l, gw, skips, cluster);
  return {};
}

/// getGatewayAddress (waypoints.go:536-575): the first Hostname, else the first IPAddress that
/// parses; other types and a missing type are ignored.
std::optional<waypoint_address> make_address(const kube::gateway& gw, std::string_view network,
                                             skip_log& skips, std::string_view cluster) {
  for (const auto& a : gw.addresses)
    if (a.type == "Hostname")
      return waypoint_address{true, gw.meta.namespace_, a.value};
  for (const auto& a : gw.addresses) {
    if (a.type != "IPAddress")
      continue;
    if (auto bytes = ip_bytes(a.value))
      return waypoint_address{false, std::string{network}, std::move(*bytes)};
    skips.add(skip_reason::waypoint_bad_address, std::string{cluster}, kube::object_key(gw.meta),
              "status address " + quoted(a.value) + " is not an IP address");
  }
  skips.add(skip_reason::waypoint_no_address, std::string{cluster}, kube::object_key(gw.meta),
            "no Hostname or IPAddress status address that parses: bound objects get no waypoint");
  return std::nullopt;
}

} // namespace

void fill_gateway_address(const waypoint_address& a, istio::workload::GatewayAddress& out) {
  if (a.is_hostname) {
    auto* h = out.mutable_hostname();
    h->set_namespace_(a.namespace_or_network);
    h->set_hostname(a.value);
  } else {
    auto* n = out.mutable_address();
    n->set_network(a.namespace_or_network);
    n->set_address(a.value);
  }
  out.set_hbone_mtls_port(waypoint_hbone_port);
}

bool waypoint::allows(std::string_view ns, const kube::string_map& ns_labels) const {
  switch (attach.from) {
    case attachment_rule::source::all:
      return true;
    case attachment_rule::source::selector:
      return attach.selector && attach.selector->matches(ns_labels);
    case attachment_rule::source::same:
      break;
  }
  return ns == namespace_;
}

std::optional<waypoint> make_waypoint(const kube::gateway& gw, const kube::gateway_class* cls,
                                      std::string_view network,
                                      std::vector<std::string> service_accounts, skip_log& skips,
                                      std::string_view cluster) {
  if (gw.addresses.empty())
    return std::nullopt;
  waypoint out;
  out.namespace_ = gw.meta.namespace_;
  out.name = gw.meta.name;
  out.gateway_class = gw.gateway_class;
  if (cls == nullptr)
    skips.add(skip_reason::waypoint_class_missing, std::string{cluster}, kube::object_key(gw.meta),
              "GatewayClass " + quoted(gw.gateway_class)
                  + " not found in the config cluster: traffic type from the Gateway alone");
  else if (auto t = kube::lookup(cls->meta.labels, waypoint_for_label))
    out.traffic_type = std::string{*t};
  if (auto t = kube::lookup(gw.meta.labels, waypoint_for_label))
    out.traffic_type = std::string{*t};
  out.address = make_address(gw, network, skips, cluster);
  out.binding = make_binding(gw, cls, skips, cluster);
  out.attach = make_attachment(gw, out.binding, skips, cluster);
  std::sort(service_accounts.begin(), service_accounts.end());
  out.service_accounts = std::move(service_accounts);
  return out;
}

std::string_view to_string(binding_error e) {
  switch (e) {
    case binding_error::not_ready:
      return "WaypointIsNotReady";
    case binding_error::attachment_denied:
      return "AttachmentDenied";
    case binding_error::unsupported_traffic:
      return "UnsupportedTrafficType";
    case binding_error::none:
      break;
  }
  return "";
}

std::optional<std::string> named_waypoint(const kube::string_map& labels,
                                          std::string_view default_ns) {
  auto name = kube::lookup(labels, use_waypoint_label);
  if (!name || *name == "none")
    return std::nullopt;
  auto ns = kube::lookup(labels, use_waypoint_namespace_label).value_or(default_ns);
  std::string out;
  out.reserve(ns.size() + name->size() + 1);
  out.append(ns).append("/").append(*name);
  return out;
}

waypoint_binding bind_waypoint(const kube::object_meta& meta, const kube::namespace_* ns,
                               const waypoint_map& waypoints, waypoint_target target) {
  waypoint_binding out;
  if (target == waypoint_target::service) {
    auto managed = kube::lookup(meta.labels, gateway_managed_label);
    if (managed == "istio.io-mesh-controller" || managed == "istio.io-eastwest-controller")
      return out; // a waypoint or east-west gateway itself (waypoints.go:155-162)
  }
  // The object's own label, else its namespace's; "none" on the object ends it there.
  std::optional<std::string> named;
  if (kube::lookup(meta.labels, use_waypoint_label))
    named = named_waypoint(meta.labels, meta.namespace_);
  else if (ns != nullptr)
    named = named_waypoint(ns->meta.labels, meta.namespace_);
  if (!named)
    return out;
  out.named = std::move(*named);
  auto it = waypoints.find(out.named);
  if (it == waypoints.end()) {
    out.error = binding_error::not_ready;
    return out;
  }
  static const kube::string_map no_labels;
  if (!it->second.allows(meta.namespace_, ns != nullptr ? ns->meta.labels : no_labels)) {
    out.error = binding_error::attachment_denied;
    return out;
  }
  const auto& type = it->second.traffic_type;
  out.found = &it->second;
  auto wanted = target == waypoint_target::service ? "service" : "workload";
  if (type != wanted && type != "all") {
    out.error = binding_error::unsupported_traffic;
    return out;
  }
  out.bound = &it->second;
  return out;
}

const waypoint* waypoint_instance_of(const kube::object_meta& meta, const waypoint_map& waypoints) {
  auto name = kube::lookup(meta.labels, gateway_name_label);
  if (!name || name->empty())
    return nullptr;
  auto it = waypoints.find(meta.namespace_ + "/" + std::string{*name});
  return it == waypoints.end() ? nullptr : &it->second;
}

std::optional<bool> ingress_use_waypoint(const kube::string_map& service_labels,
                                         const kube::string_map* namespace_labels) {
  auto v = kube::lookup(service_labels, ingress_use_waypoint_label);
  if (!v && namespace_labels != nullptr)
    v = kube::lookup(*namespace_labels, ingress_use_waypoint_label);
  if (!v)
    return std::nullopt;
  return v->size() == 4 && std::equal(v->begin(), v->end(), "true", [](char a, char b) {
           return (a | 0x20) == b;
         });
}

} // namespace ambient::mesh
