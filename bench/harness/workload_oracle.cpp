#include "bench/harness/workload_oracle.hpp"

#include <stdexcept>

#include "istio/workload/workload.pb.h"
#include "mesh/context.hpp"
#include "sim/json.hpp"

namespace ambient::bench {

namespace {

/// A LIST of `path` from `cluster`'s API server, parsed by kube-sim's own JSON reader.
sim::json list(sim_process& sim, const std::string& cluster, const std::string& path) {
  std::string server;
  auto api = sim.api(cluster, &server);
  auto r = api.request("GET", server + path);
  if (r.status != 200)
    throw std::runtime_error("workload oracle: LIST " + path + " of " + cluster + ": HTTP "
                             + std::to_string(r.status) + " " + r.error);
  auto doc = sim::parse_json(r.body, nullptr);
  if (!doc || !sim::find_path(*doc, {"items"}) || !sim::find_path(*doc, {"items"})->is_array())
    throw std::runtime_error("workload oracle: the LIST " + path + " of " + cluster
                             + " is not a list");
  return *doc;
}

std::string text_at(const sim::json& v, std::initializer_list<std::string_view> path) {
  const auto* x = sim::find_path(v, path);
  return x && x->is_string() ? x->get<std::string>() : std::string{};
}

/// The network label of `cluster`'s istio-system namespace, or "".
std::string network_of(sim_process& sim, const std::string& cluster) {
  auto namespaces = list(sim, cluster, "/api/v1/namespaces");
  for (const auto& ns : *sim::find_path(namespaces, {"items"}))
    if (text_at(ns, {"metadata", "name"}) == "istio-system")
      return text_at(ns, {"metadata", "labels", "topology.istio.io/network"});
  return {};
}

} // namespace

workload_facts expected_workloads(sim_process& sim, const std::vector<std::string>& clusters) {
  workload_facts out;
  if (clusters.empty())
    return out;
  const auto local_network = network_of(sim, clusters.front());
  for (const auto& cluster : clusters) {
    const auto network = cluster == clusters.front() ? local_network : network_of(sim, cluster);
    if (network != local_network)
      continue;
    auto pods = list(sim, cluster, "/api/v1/pods");
    for (const auto& pod : *sim::find_path(pods, {"items"})) {
      auto phase = text_at(pod, {"status", "phase"});
      if (phase == "Failed" || phase == "Succeeded")
        continue;
      workload_fact f{cluster, network, {}};
      if (const auto* ips = sim::find_path(pod, {"status", "podIPs"}); ips && ips->is_array())
        for (const auto& ip : *ips)
          if (auto a = text_at(ip, {"ip"}); !a.empty())
            f.addresses.push_back(a);
      if (f.addresses.empty())
        if (auto a = text_at(pod, {"status", "podIP"}); !a.empty())
          f.addresses.push_back(a);
      if (f.addresses.empty())
        continue;
      out[cluster + "//Pod/" + text_at(pod, {"metadata", "namespace"}) + "/"
          + text_at(pod, {"metadata", "name"})]
          = std::move(f);
    }
  }
  return out;
}

workload_facts held_workloads(const std::map<std::string, std::string>& held) {
  workload_facts out;
  for (const auto& [name, bytes] : held) {
    istio::workload::Address a;
    if (!a.ParseFromString(bytes) || !a.has_workload() || a.workload().addresses_size() == 0)
      continue;
    const auto& w = a.workload();
    workload_fact f{w.cluster_id(), w.network(), {}};
    for (const auto& ip : w.addresses())
      f.addresses.push_back(mesh::ip_text(ip));
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
