#include "bench/harness/waypoint_oracle.hpp"

#include <cctype>

#include "bench/harness/oracle_json.hpp"

namespace ambient::bench {

namespace {

const std::string* find(const std::map<std::string, std::string>& m, const std::string& key) {
  auto it = m.find(key);
  return it == m.end() ? nullptr : &it->second;
}

/// Dotted-quad IPv4 only: what the soak writes (and a malformed one it does not).
bool is_ipv4(const std::string& s) {
  int parts = 0, digits = 0, value = 0;
  for (char c : s) {
    if (c == '.') {
      if (digits == 0)
        return false;
      ++parts;
      digits = value = 0;
    } else if (std::isdigit(static_cast<unsigned char>(c)) && digits < 3) {
      if (digits == 1 && value == 0)
        return false; // a leading zero: Go's netip refuses it
      value = value * 10 + (c - '0');
      if (value > 255)
        return false;
      ++digits;
    } else {
      return false;
    }
  }
  return parts == 3 && digits > 0;
}

std::string tunnel_of(const std::string* annotation) {
  if (!annotation)
    return {};
  const auto& a = *annotation;
  auto slash = a.find('/');
  auto protocol = a.substr(0, slash);
  if (protocol != "PROXY" && protocol != "NONE")
    return {};
  std::string port = "0";
  if (slash != std::string::npos) {
    port = a.substr(slash + 1);
    if (port.find('/') != std::string::npos)
      return {};
  }
  return protocol + "/" + port;
}

} // namespace

waypoint_oracle::waypoint_oracle(sim_process& sim, const std::vector<std::string>& clusters,
                                 const std::map<std::string, std::string>& networks) {
  if (clusters.empty())
    return;
  std::map<std::string, sim::json> classes;
  for (auto& c :
       list_items(sim, clusters.front(), "/apis/gateway.networking.k8s.io/v1/gatewayclasses", true))
    classes[text_at(c, {"metadata", "name"})] = c;
  for (const auto& cluster : clusters) {
    for (const auto& ns : list_items(sim, cluster, "/api/v1/namespaces"))
      namespaces_[cluster][text_at(ns, {"metadata", "name"})]
          = strings_at(ns, {"metadata", "labels"});
    auto net = networks.find(cluster);
    const std::string network = net == networks.end() ? "" : net->second;
    if (cluster != clusters.front() && network.empty())
      continue; // istiod builds no waypoints of a remote cluster without a network
    for (const auto& g :
         list_items(sim, cluster, "/apis/gateway.networking.k8s.io/v1/gateways", true)) {
      const auto* addresses = sim::find_path(g, {"status", "addresses"});
      if (!addresses || !addresses->is_array() || addresses->empty())
        continue;
      waypoint w;
      auto ns = text_at(g, {"metadata", "namespace"});
      for (const auto& a : *addresses)
        if (w.address.empty() && text_at(a, {"type"}) == "Hostname")
          w.address = ns + "/" + text_at(a, {"value"}) + ":15008";
      for (const auto& a : *addresses)
        if (w.address.empty() && text_at(a, {"type"}) == "IPAddress"
            && is_ipv4(text_at(a, {"value"})))
          w.address = text_at(a, {"value"}) + "@" + network + ":15008";
      auto labels = strings_at(g, {"metadata", "labels"});
      auto annotations = strings_at(g, {"metadata", "annotations"});
      const sim::json* cls = nullptr;
      if (auto it = classes.find(text_at(g, {"spec", "gatewayClassName"})); it != classes.end())
        cls = &it->second;
      std::map<std::string, std::string> class_labels, class_annotations;
      if (cls) {
        class_labels = strings_at(*cls, {"metadata", "labels"});
        class_annotations = strings_at(*cls, {"metadata", "annotations"});
      }
      w.type = "service";
      if (const auto* t = find(class_labels, "istio.io/waypoint-for"))
        w.type = *t;
      if (const auto* t = find(labels, "istio.io/waypoint-for"))
        w.type = *t;
      const auto* binding = find(annotations, "ambient.istio.io/waypoint-inbound-binding");
      if (!binding)
        binding = find(class_annotations, "ambient.istio.io/waypoint-inbound-binding");
      w.tunnel = tunnel_of(binding);
      if (const auto* ls = sim::find_path(g, {"spec", "listeners"}); ls && ls->is_array())
        for (const auto& l : *ls) {
          const auto* port = sim::find_path(l, {"port"});
          if (text_at(l, {"protocol"}) == "HBONE" && port && port->is_number()
              && port->get<int>() == 15008) {
            w.all_namespaces = text_at(l, {"allowedRoutes", "namespaces", "from"}) == "All";
            break;
          }
        }
      waypoints_[cluster][ns + "/" + text_at(g, {"metadata", "name"})] = std::move(w);
    }
  }
}

waypoint_oracle::fields waypoint_oracle::for_pod(const std::string& cluster,
                                                 const sim::json& pod) const {
  fields out;
  static const std::map<std::string, waypoint> none;
  auto wc = waypoints_.find(cluster);
  const auto& wps = wc == waypoints_.end() ? none : wc->second;
  auto ns = text_at(pod, {"metadata", "namespace"});
  auto labels = strings_at(pod, {"metadata", "labels"});
  if (const auto* gw = find(labels, "gateway.networking.k8s.io/gateway-name"); gw && !gw->empty())
    if (auto it = wps.find(ns + "/" + *gw); it != wps.end()) {
      out.tunnel = it->second.tunnel;
      return out;
    }
  std::map<std::string, std::string> ns_labels;
  if (auto c = namespaces_.find(cluster); c != namespaces_.end())
    if (auto it = c->second.find(ns); it != c->second.end())
      ns_labels = it->second;
  const auto* source = find(labels, "istio.io/use-waypoint") ? &labels : &ns_labels;
  const auto* name = find(*source, "istio.io/use-waypoint");
  if (!name || *name == "none")
    return out;
  const auto* in = find(*source, "istio.io/use-waypoint-namespace");
  auto it = wps.find((in ? *in : ns) + "/" + *name);
  if (it == wps.end())
    return out;
  const auto& w = it->second;
  auto wp_ns = it->first.substr(0, it->first.find('/'));
  if (!w.all_namespaces && wp_ns != ns)
    return out;
  if (w.type != "workload" && w.type != "all")
    return out;
  out.waypoint = w.address;
  return out;
}

} // namespace ambient::bench
