#pragma once

#include <chrono>
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

} // namespace ambient::sim
