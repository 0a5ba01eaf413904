#include "sim/objects.hpp"

#include <algorithm>
#include <string_view>
#include <tuple>

#include "base/base64.hpp"
#include "base/json_writer.hpp"
#include "sim/object_metadata.hpp"
#include "sim/pki.hpp"

namespace ambient::sim {

namespace {

using time_point = std::chrono::system_clock::time_point;
using labels_t = std::map<std::string, std::string>;

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::string ip_family(const std::string& ip) {
  return ip.find(':') != std::string::npos ? "IPv6" : "IPv4";
}

} // namespace

std::string make_namespace_json(const std::string& name, const labels_t& labels,
                                time_point created) {
  labels_t all = labels;
  all["kubernetes.io/metadata.name"] = name;
  base::json_writer w;
  w.begin_object().member("kind", "Namespace").member("apiVersion", "v1");
  begin_metadata(w, "", name, created);
  w.string_map("labels", all).end_object();
  w.key("spec").begin_object().key("finalizers").begin_array().value("kubernetes").end_array();
  w.end_object().key("status").begin_object().member("phase", "Active").end_object();
  return w.end_object().take();
}

std::string make_service_account_json(const std::string& ns, const std::string& name,
                                      time_point created) {
  base::json_writer w;
  w.begin_object().member("kind", "ServiceAccount").member("apiVersion", "v1");
  begin_metadata(w, ns, name, created);
  w.end_object();
  return w.end_object().take();
}

std::string make_node_json(const std::string& name, const std::string& region,
                           const std::string& zone, const std::string& internal_ip,
                           time_point created) {
  const std::string ts = rfc3339(created);
  const labels_t labels = {
      {"beta.kubernetes.io/arch", "amd64"},
      {"beta.kubernetes.io/os", "linux"},
      {"kubernetes.io/arch", "amd64"},
      {"kubernetes.io/hostname", name},
      {"kubernetes.io/os", "linux"},
      {"node.kubernetes.io/instance-type", "sim.large"},
      {"topology.kubernetes.io/region", region},
      {"topology.kubernetes.io/zone", zone},
  };
  const labels_t resources = {{"cpu", "8"},
                              {"ephemeral-storage", "101430960Ki"},
                              {"memory", "32863012Ki"},
                              {"pods", "110"}};
  base::json_writer w;
  w.begin_object().member("kind", "Node").member("apiVersion", "v1");
  begin_metadata(w, "", name, created);
  w.string_map("labels", labels);
  w.key("annotations").begin_object().member("node.alpha.kubernetes.io/ttl", "0");
  w.member("volumes.kubernetes.io/controller-managed-attach-detach", "true")
      .end_object()
      .end_object();
  w.key("spec").begin_object().member("providerID", "sim://" + region + "/" + zone + "/" + name);
  w.end_object();
  w.key("status").begin_object().string_map("capacity", resources);
  w.string_map("allocatable", resources).key("conditions").begin_array();
  for (auto [type, status, reason] :
       {std::tuple{"MemoryPressure", "False", "KubeletHasSufficientMemory"},
        std::tuple{"DiskPressure", "False", "KubeletHasNoDiskPressure"},
        std::tuple{"PIDPressure", "False", "KubeletHasSufficientPID"},
        std::tuple{"Ready", "True", "KubeletReady"}}) {
    w.begin_object().member("type", type).member("status", status).member("lastHeartbeatTime", ts);
    w.member("lastTransitionTime", ts).member("reason", reason).end_object();
  }
  w.end_array().key("addresses").begin_array();
  w.begin_object().member("type", "InternalIP").member("address", internal_ip).end_object();
  w.begin_object().member("type", "Hostname").member("address", name).end_object().end_array();
  w.key("daemonEndpoints").begin_object().key("kubeletEndpoint").begin_object();
  w.member("Port", 10250).end_object().end_object();
  w.key("nodeInfo").begin_object().member("machineID", random_hex(16));
  w.member("systemUUID", make_uid())
      .member("bootID", make_uid())
      .member("kernelVersion", "6.1.0-sim");
  w.member("osImage", "Debian GNU/Linux 12 (bookworm)");
  w.member("containerRuntimeVersion", "containerd://1.7.13").member("kubeletVersion", "v1.29.2");
  w.member("kubeProxyVersion", "v1.29.2")
      .member("operatingSystem", "linux")
      .member("architecture", "amd64");
  w.end_object().end_object();
  return w.end_object().take();
}

std::string make_service_json(const std::string& ns, const std::string& name,
                              const labels_t& selector, const std::string& cluster_ip,
                              const std::vector<service_port>& ports, time_point created,
                              const labels_t& labels) {
  base::json_writer w;
  w.begin_object().member("kind", "Service").member("apiVersion", "v1");
  begin_metadata(w, ns, name, created);
  if (!labels.empty())
    w.string_map("labels", labels);
  w.end_object().key("spec").begin_object().key("ports").begin_array();
  for (const auto& port : ports) {
    w.begin_object();
    if (!port.name.empty())
      w.member("name", port.name);
    w.member("protocol", port.protocol).member("port", port.port).key("targetPort");
    if (port.target_port.empty())
      w.value(port.port);
    else if (all_digits(port.target_port) && port.target_port.size() <= 5)
      w.value(std::stoi(port.target_port));
    else
      w.value(port.target_port);
    w.end_object();
  }
  w.end_array();
  if (!selector.empty())
    w.string_map("selector", selector);
  w.member("clusterIP", cluster_ip).key("clusterIPs").begin_array().value(cluster_ip).end_array();
  w.member("type", "ClusterIP").member("sessionAffinity", "None");
  w.key("ipFamilies").begin_array().value(ip_family(cluster_ip)).end_array();
  w.member("ipFamilyPolicy", "SingleStack").member("internalTrafficPolicy", "Cluster").end_object();
  w.key("status").begin_object().key("loadBalancer").begin_object().end_object().end_object();
  return w.end_object().take();
}

std::string make_endpoint_slice_json(const std::string& ns, const std::string& name,
                                     const std::string& service,
                                     const std::vector<slice_endpoint>& endpoints,
                                     const std::vector<slice_port>& ports, time_point created,
                                     const labels_t& labels) {
  labels_t all = labels;
  all["kubernetes.io/service-name"] = service;
  base::json_writer w;
  w.begin_object().member("kind", "EndpointSlice").member("apiVersion", "discovery.k8s.io/v1");
  begin_metadata(w, ns, name, created);
  w.string_map("labels", all).end_object();
  w.member("addressType", endpoints.empty() ? "IPv4" : ip_family(endpoints.front().address));
  w.key("endpoints").begin_array();
  for (const auto& e : endpoints) {
    w.begin_object().key("addresses").begin_array().value(e.address).end_array();
    w.key("conditions").begin_object().member("ready", e.ready).end_object().end_object();
  }
  w.end_array().key("ports").begin_array();
  for (const auto& p : ports)
    w.begin_object()
        .member("name", p.name)
        .member("port", p.port)
        .member("protocol", p.protocol)
        .end_object();
  w.end_array();
  return w.end_object().take();
}

std::string make_secret_json(const std::string& ns, const std::string& name, const labels_t& labels,
                             const labels_t& data, time_point created) {
  base::json_writer w;
  w.begin_object().member("kind", "Secret").member("apiVersion", "v1");
  begin_metadata(w, ns, name, created);
  if (!labels.empty())
    w.string_map("labels", labels);
  w.end_object().key("data").begin_object();
  for (const auto& [k, v] : data)
    w.member(k, base::encode_base64(v));
  w.end_object().member("type", "Opaque");
  return w.end_object().take();
}

} // namespace ambient::sim
