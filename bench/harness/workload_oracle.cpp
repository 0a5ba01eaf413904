#include "bench/harness/workload_oracle.hpp"

#include <set>
#include <stdexcept>

#include "bench/harness/oracle_json.hpp"
#include "bench/harness/policy_oracle.hpp"
#include "bench/harness/waypoint_oracle.hpp"
#include "istio/workload/workload.pb.h"
#include "mesh/context.hpp"
#include "sim/json.hpp"

namespace ambient::bench {

namespace {

/// The network label of `cluster`'s istio-system namespace, or "".
std::string network_of(sim_process& sim, const std::string& cluster) {
  for (const auto& ns : list_items(sim, cluster, "/api/v1/namespaces"))
    if (text_at(ns, {"metadata", "name"}) == "istio-system")
      return text_at(ns, {"metadata", "labels", "topology.istio.io/network"});
  return {};
}

/// The "ns/name" of the Services an EndpointSlice of `cluster` may count for: in the config
/// cluster every one but ExternalName; in a remote one only those labelled istio.io/global=true
/// (the soak's mesh config keeps the default serviceScopeConfigs).
std::set<std::string> collected_services(sim_process& sim, const std::string& cluster,
                                         bool config_cluster) {
  std::set<std::string> out;
  for (const auto& svc : list_items(sim, cluster, "/api/v1/services")) {
    if (text_at(svc, {"spec", "type"}) == "ExternalName")
      continue;
    if (!config_cluster && text_at(svc, {"metadata", "labels", "istio.io/global"}) != "true")
      continue;
    out.insert(text_at(svc, {"metadata", "namespace"}) + "/" + text_at(svc, {"metadata", "name"}));
  }
  return out;
}

/// The workloads of the EndpointSlices' own endpoints (not a Pod's), one per first address.
void add_slice_workloads(sim_process& sim, const std::string& cluster, bool config_cluster,
                         const std::string& network, workload_facts& out) {
  auto services = collected_services(sim, cluster, config_cluster);
  for (const auto& slice : list_items(sim, cluster, "/apis/discovery.k8s.io/v1/endpointslices")) {
    auto ns = text_at(slice, {"metadata", "namespace"});
    auto svc = text_at(slice, {"metadata", "labels", "kubernetes.io/service-name"});
    auto type = text_at(slice, {"addressType"});
    const auto* endpoints = sim::find_path(slice, {"endpoints"});
    if (svc.empty() || (type != "IPv4" && type != "IPv6") || !services.contains(ns + "/" + svc)
        || !endpoints || !endpoints->is_array())
      continue;
    std::set<std::string> seen;
    for (const auto& e : *endpoints) {
      if (text_at(e, {"targetRef", "kind"}) == "Pod")
        continue;
      const auto* addresses = sim::find_path(e, {"addresses"});
      if (!addresses || !addresses->is_array() || addresses->empty())
        continue;
      workload_fact f{cluster, network, {}, {}, {}, {}};
      for (const auto& a : *addresses)
        f.addresses.push_back(a.get<std::string>());
      if (!seen.insert(f.addresses.front()).second)
        continue;
      out[cluster + "/discovery.k8s.io/EndpointSlice/" + ns + "/"
          + text_at(slice, {"metadata", "name"}) + "/" + f.addresses.front()]
          = std::move(f);
    }
  }
}

/// The NetworkGateway workloads of every cluster's network Gateways that have an IP address.
void add_gateway_workloads(sim_process& sim, const std::vector<std::string>& clusters,
                           workload_facts& out) {
  for (const auto& cluster : clusters) {
    const bool local = cluster == clusters.front();
    for (const auto& g : list_items(sim, cluster, "/apis/gateway.networking.k8s.io/v1/gateways")) {
      auto network = text_at(g, {"metadata", "labels", "topology.istio.io/network"});
      if (network.empty()
          || text_at(g, {"spec", "gatewayClassName"})
                 != (local ? "istio-remote" : "istio-east-west"))
        continue;
      std::string port;
      if (const auto* ls = sim::find_path(g, {"spec", "listeners"}); ls && ls->is_array())
        for (const auto& l : *ls)
          if (port.empty() && text_at(l, {"protocol"}) == "HBONE"
              && (local || text_at(l, {"tls", "mode"}) == "Terminate"))
            port = local ? std::to_string(sim::find_path(l, {"port"})->get<int>()) : "0";
      const auto* addresses = sim::find_path(g, {"status", "addresses"});
      if (port.empty() || !addresses || !addresses->is_array())
        continue;
      for (const auto& a : *addresses)
        if (text_at(a, {"type"}) == "IPAddress") // a Hostname gateway's workload has no address
          out.try_emplace("NetworkGateway/" + network + "/" + text_at(a, {"value"}) + "/" + port,
                          workload_fact{"", network, {text_at(a, {"value"})}, {}, {}, {}});
    }
  }
}

} // namespace

workload_facts expected_workloads(sim_process& sim, const std::vector<std::string>& clusters,
                                  bool with_policies, bool with_waypoints) {
  workload_facts out;
  if (clusters.empty())
    return out;
  const policy_oracle policies{sim, clusters.front()};
  std::map<std::string, std::string> networks;
  for (const auto& cluster : clusters)
    networks[cluster] = network_of(sim, cluster);
  const waypoint_oracle waypoints{sim, clusters, networks};
  const auto local_network = networks[clusters.front()];
  for (const auto& cluster : clusters) {
    const auto network = networks[cluster];
    if (network != local_network)
      continue;
    add_slice_workloads(sim, cluster, cluster == clusters.front(), network, out);
    for (const auto& pod : list_items(sim, cluster, "/api/v1/pods")) {
      auto phase = text_at(pod, {"status", "phase"});
      if (phase == "Failed" || phase == "Succeeded")
        continue;
      workload_fact f{cluster, network, {}, {}, {}, {}};
      if (const auto* ips = sim::find_path(pod, {"status", "podIPs"}); ips && ips->is_array())
        for (const auto& ip : *ips)
          if (auto a = text_at(ip, {"ip"}); !a.empty())
            f.addresses.push_back(a);
      if (f.addresses.empty())
        if (auto a = text_at(pod, {"status", "podIP"}); !a.empty())
          f.addresses.push_back(a);
      if (f.addresses.empty())
        continue;
      auto ns = text_at(pod, {"metadata", "namespace"});
      if (with_policies)
        f.authorization_policies
            = policies.policies_for(ns, strings_at(pod, {"metadata", "labels"}));
      if (with_waypoints) {
        auto w = waypoints.for_pod(cluster, pod);
        f.waypoint = std::move(w.waypoint);
        f.tunnel = std::move(w.tunnel);
      }
      out[cluster + "//Pod/" + ns + "/" + text_at(pod, {"metadata", "name"})] = std::move(f);
    }
  }
  add_gateway_workloads(sim, clusters, out);
  return out;
}

workload_facts held_workloads(const std::map<std::string, std::string>& held) {
  workload_facts out;
  for (const auto& [name, bytes] : held) {
    istio::workload::Address a;
    if (!a.ParseFromString(bytes) || !a.has_workload() || a.workload().addresses_size() == 0)
      continue;
    const auto& w = a.workload();
    workload_fact f{w.cluster_id(), w.network(), {}, {}, {}, {}};
    for (const auto& ip : w.addresses())
      f.addresses.push_back(mesh::ip_text(ip));
    f.authorization_policies.assign(w.authorization_policies().begin(),
                                    w.authorization_policies().end());
    if (w.has_waypoint()) {
      const auto& wp = w.waypoint();
      f.waypoint = (wp.has_hostname()
                        ? wp.hostname().namespace_() + "/" + wp.hostname().hostname()
                        : mesh::ip_text(wp.address().address()) + "@" + wp.address().network())
                   + ":" + std::to_string(wp.hbone_mtls_port());
    }
    if (w.has_application_tunnel())
      f.tunnel
          = istio::workload::ApplicationTunnel::Protocol_Name(w.application_tunnel().protocol())
            + "/" + std::to_string(w.application_tunnel().port());
    out[w.uid()] = std::move(f);
  }
  return out;
}

std::string workload_diff(const workload_facts& want, const workload_facts& got) {
  size_t missing = 0, extra = 0, different = 0;
  std::string samples;
  auto sample = [&](const std::string& what, const std::string& uid) {
    if (samples.size() < 400)
      samples += "; " + what + " " + uid;
  };
  for (const auto& [uid, f] : want) {
    auto it = got.find(uid);
    if (it == got.end()) {
      ++missing;
      sample("missing", uid);
    } else if (!(it->second == f)) {
      ++different;
      sample("different", uid);
    }
  }
  for (const auto& [uid, f] : got)
    if (!want.contains(uid)) {
      ++extra;
      sample("extra", uid);
    }
  if (missing + extra + different == 0)
    return {};
  return std::to_string(missing) + " missing, " + std::to_string(extra) + " extra, "
         + std::to_string(different) + " different" + samples;
}

} // namespace ambient::bench
