#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace ambient::sim {

/// What varies between the pods of a simulated fleet; the rest of a pod is boilerplate.
struct pod_params {
  std::string namespace_, name, node_name, pod_ip; // pod_ip may be IPv4 or IPv6; podIPs gets it
  std::string service_account = "default";
  std::map<std::string, std::string> labels, annotations;
  std::string owner_kind = "ReplicaSet"; // "" → no ownerReferences
  std::string owner_name;                // e.g. "echo-7d9c6b5f4"
  bool ready = true;
  std::string phase = "Running";
  std::vector<std::pair<std::string, int>> container_ports; // name, port
  std::string host_ip;
};

/// A pod as the kubelet would report it: spec (containers with image, ports, resources, probes,
/// volumeMounts, env), status (phase, conditions PodScheduled/Initialized/ContainersReady/Ready
/// with status True/False per `ready`, podIP, podIPs, hostIP, containerStatuses), ~2–4 KB. Compact
/// JSON without metadata.resourceVersion (the store sets it), with a random metadata.uid.
std::string make_pod_json(const pod_params& p, std::chrono::system_clock::time_point created);

/// A namespace in phase Active; `labels` are added to kubernetes.io/metadata.name.
std::string make_namespace_json(const std::string& name,
                                const std::map<std::string, std::string>& labels,
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

/// A ClusterIP service (cluster_ip "None" → headless) selecting `selector`, with `labels` (e.g.
/// istio.io/global=true).
std::string make_service_json(const std::string& ns, const std::string& name,
                              const std::map<std::string, std::string>& selector,
                              const std::string& cluster_ip, const std::vector<service_port>& ports,
                              std::chrono::system_clock::time_point created,
                              const std::map<std::string, std::string>& labels = {});

/// A secret of type Opaque with base64-encoded data and the given labels.
std::string make_secret_json(const std::string& ns, const std::string& name,
                             const std::map<std::string, std::string>& labels,
                             const std::map<std::string, std::string>& data,
                             std::chrono::system_clock::time_point created);

/// Deterministic addresses for generated fleets, unique per cluster and kind; out-of-range
/// arguments throw std::out_of_range. The i-th pod IP of
/// cluster c is "10.<4c + n/65536>.<n/256 % 256>.<n % 256>" with n = i + 1 (c < 60, i < 262,143).
std::string pod_ip(uint32_t cluster_index, uint32_t i);

/// The i-th service IP of cluster c: "172.<16 + c%16>.x.y" where x.y = i + 1 (i < 65000); clusters
/// c and c + 16 share a range, as real clusters with default service CIDRs do.
std::string service_ip(uint32_t cluster_index, uint32_t i);

/// The i-th node IP of cluster c: "10.250.<c>.<i + 1>" (c < 200, i < 254), apart from pod IPs.
std::string node_ip(uint32_t cluster_index, uint32_t i);

} // namespace ambient::sim
