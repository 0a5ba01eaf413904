#pragma once

#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

#include "kube/objects.hpp"

/// Small builders of decoded Kubernetes objects for mesh tests: each returns a plausible object
/// that a test then adjusts field by field.
namespace ambient::test {

/// A kube::string_map from key/value pairs in any order: sorted, the last value of a key wins.
inline kube::string_map
make_map(std::initializer_list<std::pair<std::string, std::string>> entries) {
  kube::string_map out;
  for (const auto& kv : entries) {
    auto i
        = std::find_if(out.begin(), out.end(), [&](const auto& e) { return e.first == kv.first; });
    if (i != out.end())
      i->second = kv.second;
    else
      out.push_back(kv);
  }
  std::sort(out.begin(), out.end());
  return out;
}

/// Sets `key` to `value` in a sorted map, keeping it sorted.
inline void set_label(kube::string_map& m, const std::string& key, const std::string& value) {
  auto i = std::lower_bound(m.begin(), m.end(), key,
                            [](const auto& kv, const std::string& k) { return kv.first < k; });
  if (i != m.end() && i->first == key)
    i->second = value;
  else
    m.insert(i, {key, value});
}

/// A Running, Ready pod with one IP, on node "node-1", service account "default", no owner.
inline kube::pod make_pod(std::string name = "web-0", std::string ns = "demo",
                          std::string ip = "10.0.0.1", kube::string_map labels = {}) {
  kube::pod p;
  p.meta.name = std::move(name);
  p.meta.namespace_ = std::move(ns);
  p.meta.uid = "uid-" + p.meta.name;
  p.meta.labels = std::move(labels);
  p.node_name = "node-1";
  p.service_account = "default";
  p.phase = "Running";
  p.ready = true;
  if (!ip.empty()) {
    p.pod_ip = ip;
    p.pod_ips = {std::move(ip)};
  }
  return p;
}

/// A container port; the protocol is TCP, the API server's default.
inline kube::container_port make_container_port(std::string name, int32_t port,
                                                std::string protocol = "TCP") {
  return {std::move(name), port, std::move(protocol)};
}

/// A TCP service port with a numeric targetPort.
inline kube::service_port make_port(int32_t port, int32_t target_port, std::string name = "") {
  kube::service_port sp;
  sp.name = std::move(name);
  sp.protocol = "TCP";
  sp.port = port;
  sp.target_port_number = target_port;
  return sp;
}

/// A TCP service port with a named targetPort.
inline kube::service_port make_named_port(int32_t port, std::string target_port_name,
                                          std::string name = "") {
  auto sp = make_port(port, 0, std::move(name));
  sp.target_port_name = std::move(target_port_name);
  return sp;
}

/// A ClusterIP service with a selector and ports.
inline kube::service make_service(std::string name = "web", std::string ns = "demo",
                                  kube::string_map selector = {},
                                  std::vector<kube::service_port> ports = {},
                                  std::string cluster_ip = "10.96.0.10") {
  kube::service s;
  s.meta.name = std::move(name);
  s.meta.namespace_ = std::move(ns);
  s.meta.uid = "uid-svc-" + s.meta.name;
  s.type = "ClusterIP";
  s.cluster_ip = cluster_ip;
  s.cluster_ips = {std::move(cluster_ip)};
  s.ip_families = {"IPv4"};
  s.selector = std::move(selector);
  s.ports = std::move(ports);
  return s;
}

/// A node with topology labels; an empty part is left out.
inline kube::node make_node(std::string name = "node-1", const std::string& region = "",
                            const std::string& zone = "", const std::string& subzone = "") {
  kube::node n;
  n.meta.name = std::move(name);
  n.meta.uid = "uid-node-" + n.meta.name;
  if (!region.empty())
    set_label(n.meta.labels, "topology.kubernetes.io/region", region);
  if (!zone.empty())
    set_label(n.meta.labels, "topology.kubernetes.io/zone", zone);
  if (!subzone.empty())
    set_label(n.meta.labels, "topology.istio.io/subzone", subzone);
  n.internal_ip = "192.168.0.1";
  return n;
}

/// A namespace with labels.
inline kube::namespace_ make_namespace(std::string name = "demo", kube::string_map labels = {}) {
  kube::namespace_ ns;
  ns.meta.name = std::move(name);
  ns.meta.uid = "uid-ns-" + ns.meta.name;
  ns.meta.labels = std::move(labels);
  return ns;
}

/// An endpoint of a slice: ready, not a pod's (no targetRef).
inline kube::endpoint_slice::endpoint make_endpoint(std::string ip, bool ready = true) {
  kube::endpoint_slice::endpoint e;
  e.addresses = {std::move(ip)};
  e.ready = ready;
  return e;
}

/// The endpoint of pod `p`, as the EndpointSlice controller writes it (targetRef with the uid).
inline kube::endpoint_slice::endpoint pod_endpoint(const kube::pod& p) {
  auto e = make_endpoint(p.pod_ip, p.ready);
  e.target_kind = "Pod";
  e.target_namespace = p.meta.namespace_;
  e.target_name = p.meta.name;
  e.target_uid = p.meta.uid;
  return e;
}

/// An IPv4 EndpointSlice of Service `service` (label kubernetes.io/service-name) with one TCP
/// port `port_name` → `port`, as the API server defaults it.
inline kube::endpoint_slice make_slice(std::string name, std::string ns, const std::string& service,
                                       std::vector<kube::endpoint_slice::endpoint> endpoints,
                                       std::string port_name = "", int32_t port = 8080) {
  kube::endpoint_slice s;
  s.meta.name = std::move(name);
  s.meta.namespace_ = std::move(ns);
  s.meta.uid = "uid-slice-" + s.meta.name;
  s.meta.labels = make_map({{"kubernetes.io/service-name", service}});
  s.service_name = service;
  s.address_type = "IPv4";
  s.endpoints = std::move(endpoints);
  s.ports.push_back({std::move(port_name), "TCP", port});
  return s;
}

} // namespace ambient::test
