#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "sim/fleet_addresses.hpp"
#include "sim/pod_json.hpp"

/// The JSON of the built-in objects kube-sim generates (pods, namespaces, nodes, services,
/// secrets), and the addresses of a generated fleet: one include for the builders.
namespace ambient::sim {

/// A namespace in phase Active; `labels` are added to kubernetes.io/metadata.name.
std::string make_namespace_json(const std::string& name,
                                const std::map<std::string, std::string>& labels,
                                std::chrono::system_clock::time_point created);

/// A ServiceAccount `ns/name`, as the service-account controller makes `default` in every
/// namespace.
std::string make_service_account_json(const std::string& ns, const std::string& name,
                                      std::chrono::system_clock::time_point created);

/// A node with topology.kubernetes.io/region and /zone labels, kubernetes.io/hostname, an
/// InternalIP address and a Ready condition.
std::string make_node_json(const std::string& name, const std::string& region,
                           const std::string& zone, const std::string& internal_ip,
                           std::chrono::system_clock::time_point created);

/// One port of a service.
struct service_port {
  std::string name;
  int port;
  std::string target_port; // a number as text ("8080") or a port name ("http"); "" → `port`
  std::string protocol = "TCP";
};

/// A ClusterIP service (cluster_ip "None" → headless) selecting `selector` (none when empty: its
/// endpoints are written by hand), with `labels` (e.g. istio.io/global=true).
std::string make_service_json(const std::string& ns, const std::string& name,
                              const std::map<std::string, std::string>& selector,
                              const std::string& cluster_ip, const std::vector<service_port>& ports,
                              std::chrono::system_clock::time_point created,
                              const std::map<std::string, std::string>& labels = {});

/// One endpoint of an EndpointSlice: an address and whether it is ready; no targetRef (not a pod).
struct slice_endpoint {
  std::string address;
  bool ready = true;
};

/// One port of an EndpointSlice.
struct slice_port {
  std::string name;
  int port;
  std::string protocol = "TCP";
};

/// An EndpointSlice (discovery.k8s.io/v1) of Service `ns/service`, as a controller or an operator
/// writes one: label kubernetes.io/service-name plus `labels`, addressType IPv4 (IPv6 when the
/// first address has a ':').
std::string make_endpoint_slice_json(const std::string& ns, const std::string& name,
                                     const std::string& service,
                                     const std::vector<slice_endpoint>& endpoints,
                                     const std::vector<slice_port>& ports,
                                     std::chrono::system_clock::time_point created,
                                     const std::map<std::string, std::string>& labels = {});

/// A secret of type Opaque with base64-encoded data and the given labels.
std::string make_secret_json(const std::string& ns, const std::string& name,
                             const std::map<std::string, std::string>& labels,
                             const std::map<std::string, std::string>& data,
                             std::chrono::system_clock::time_point created);

} // namespace ambient::sim
