#include "sim/objects.hpp"

#include "sim/json.hpp"

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <stdexcept>
#include <string_view>
#include <tuple>

#include "sim/base64.hpp"
#include "sim/pki.hpp"

namespace ambient::sim {

namespace {

using time_point = std::chrono::system_clock::time_point;
using labels_t = std::map<std::string, std::string>;

/// Appends `s` as a JSON string literal.
void append_quoted(std::string& out, std::string_view s) {
  out += dump_json(s);
}

/// A minimal compact JSON writer: tracks where commas go, nothing else.
class json_writer {
public:
  json_writer& begin_object() {
    value_prefix();
    out_ += '{';
    first_.push_back(true);
    return *this;
  }
  json_writer& end_object() {
    out_ += '}';
    first_.pop_back();
    return *this;
  }
  json_writer& begin_array() {
    value_prefix();
    out_ += '[';
    first_.push_back(true);
    return *this;
  }
  json_writer& end_array() {
    out_ += ']';
    first_.pop_back();
    return *this;
  }
  json_writer& key(std::string_view k) {
    comma();
    append_quoted(out_, k);
    out_ += ':';
    after_key_ = true;
    return *this;
  }
  json_writer& value(std::string_view v) {
    value_prefix();
    append_quoted(out_, v);
    return *this;
  }
  json_writer& value(const char* v) {
    return value(std::string_view{v});
  }
  json_writer& value(const std::string& v) {
    return value(std::string_view{v});
  }
  json_writer& value(long long v) {
    value_prefix();
    out_ += std::to_string(v);
    return *this;
  }
  json_writer& value(int v) {
    return value(static_cast<long long>(v));
  }
  json_writer& value(bool v) {
    value_prefix();
    out_ += v ? "true" : "false";
    return *this;
  }
  json_writer& null() {
    value_prefix();
    out_ += "null";
    return *this;
  }
  /// key(k).value(v) in one step.
  template <class T>
  json_writer& kv(std::string_view k, const T& v) {
    return key(k).value(v);
  }
  json_writer& string_map(std::string_view k, const labels_t& m) {
    key(k).begin_object();
    for (const auto& [name, v] : m)
      kv(name, v);
    return end_object();
  }
  std::string take() {
    return std::move(out_);
  }

private:
  void comma() {
    if (!first_.empty()) {
      if (!first_.back())
        out_ += ',';
      first_.back() = false;
    }
  }
  void value_prefix() {
    if (after_key_)
      after_key_ = false;
    else
      comma();
  }

  std::string out_;
  std::vector<bool> first_;
  bool after_key_ = false;
};

/// RFC 3339 in UTC with second precision, as the API server writes timestamps.
std::string rfc3339(time_point t) {
  std::time_t secs
      = std::chrono::system_clock::to_time_t(std::chrono::floor<std::chrono::seconds>(t));
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

/// A random version-4 UUID, as the API server assigns to metadata.uid.
std::string make_uid() {
  std::string h = random_hex(16);
  h[12] = '4';
  h[16] = "89ab"[h[16] % 4];
  return h.substr(0, 8) + '-' + h.substr(8, 4) + '-' + h.substr(12, 4) + '-' + h.substr(16, 4) + '-'
         + h.substr(20);
}

/// Writes name, namespace (if any), uid and creationTimestamp; leaves the metadata object open.
void begin_metadata(json_writer& w, const std::string& ns, const std::string& name,
                    time_point created) {
  w.key("metadata").begin_object().kv("name", name);
  if (!ns.empty())
    w.kv("namespace", ns);
  w.kv("uid", make_uid()).kv("creationTimestamp", rfc3339(created));
}

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::string ip_family(const std::string& ip) {
  return ip.find(':') != std::string::npos ? "IPv6" : "IPv4";
}

} // namespace

std::string make_pod_json(const pod_params& p, time_point created) {
  const std::string ts = rfc3339(created);
  const std::string started = rfc3339(created + std::chrono::seconds{3});
  const std::string ready_ts = rfc3339(created + std::chrono::seconds{5});
  auto app = p.labels.find("app");
  const std::string container = app != p.labels.end() ? app->second : "app";
  const std::string image = "registry.k8s.io/e2e-test-images/agnhost:2.45";
  const std::string volume = "kube-api-access-" + random_hex(3).substr(0, 5);
  const int probe_port = p.container_ports.empty() ? 8080 : p.container_ports.front().second;
  const bool running = p.phase == "Running";

  labels_t labels = p.labels;
  if (p.owner_kind == "ReplicaSet") {
    if (auto dash = p.owner_name.rfind('-'); dash != std::string::npos)
      labels.emplace("pod-template-hash", p.owner_name.substr(dash + 1));
  }

  json_writer w;
  w.begin_object().kv("kind", "Pod").kv("apiVersion", "v1");
  begin_metadata(w, p.namespace_, p.name, created);
  if (!p.owner_name.empty())
    w.kv("generateName", p.owner_name + "-");
  w.string_map("labels", labels);
  if (!p.annotations.empty())
    w.string_map("annotations", p.annotations);
  if (!p.owner_kind.empty()) {
    w.key("ownerReferences").begin_array().begin_object();
    w.kv("apiVersion", p.owner_kind == "ReplicaSet" || p.owner_kind == "StatefulSet"
                               || p.owner_kind == "DaemonSet"
                           ? "apps/v1"
                           : "v1");
    w.kv("kind", p.owner_kind).kv("name", p.owner_name).kv("uid", make_uid());
    w.kv("controller", true).kv("blockOwnerDeletion", true).end_object().end_array();
  }
  w.end_object();

  // spec
  w.key("spec").begin_object();
  w.key("volumes").begin_array().begin_object().kv("name", volume);
  w.key("projected").begin_object().key("sources").begin_array();
  w.begin_object().key("serviceAccountToken").begin_object();
  w.kv("expirationSeconds", 3607).kv("path", "token").end_object().end_object();
  w.begin_object().key("configMap").begin_object().kv("name", "kube-root-ca.crt");
  w.key("items").begin_array().begin_object().kv("key", "ca.crt").kv("path", "ca.crt");
  w.end_object().end_array().end_object().end_object();
  w.begin_object().key("downwardAPI").begin_object().key("items").begin_array();
  w.begin_object().kv("path", "namespace").key("fieldRef").begin_object();
  w.kv("apiVersion", "v1").kv("fieldPath", "metadata.namespace").end_object().end_object();
  w.end_array().end_object().end_object();
  w.end_array().kv("defaultMode", 420).end_object().end_object().end_array();

  w.key("containers").begin_array().begin_object();
  w.kv("name", container).kv("image", image);
  w.key("args").begin_array().value("netexec").value("--http-port=" + std::to_string(probe_port));
  w.end_array();
  if (!p.container_ports.empty()) {
    w.key("ports").begin_array();
    for (const auto& [port_name, port] : p.container_ports) {
      w.begin_object();
      if (!port_name.empty())
        w.kv("name", port_name);
      w.kv("containerPort", port).kv("protocol", "TCP").end_object();
    }
    w.end_array();
  }
  w.key("env").begin_array();
  for (auto [env, path] :
       {std::pair{"POD_NAME", "metadata.name"}, std::pair{"POD_NAMESPACE", "metadata.namespace"},
        std::pair{"POD_IP", "status.podIP"}}) {
    w.begin_object().kv("name", env).key("valueFrom").begin_object().key("fieldRef").begin_object();
    w.kv("apiVersion", "v1").kv("fieldPath", path).end_object().end_object().end_object();
  }
  w.end_array();
  w.key("resources").begin_object();
  w.key("limits").begin_object().kv("cpu", "500m").kv("memory", "256Mi").end_object();
  w.key("requests").begin_object().kv("cpu", "100m").kv("memory", "128Mi").end_object();
  w.end_object();
  w.key("volumeMounts").begin_array().begin_object().kv("name", volume).kv("readOnly", true);
  w.kv("mountPath", "/var/run/secrets/kubernetes.io/serviceaccount").end_object().end_array();
  for (const char* probe : {"livenessProbe", "readinessProbe"}) {
    w.key(probe).begin_object().key("httpGet").begin_object().kv("path", "/healthz");
    w.kv("port", probe_port).kv("scheme", "HTTP").end_object();
    w.kv("timeoutSeconds", 1).kv("periodSeconds", 10).kv("successThreshold", 1);
    w.kv("failureThreshold", 3).end_object();
  }
  w.kv("terminationMessagePath", "/dev/termination-log").kv("terminationMessagePolicy", "File");
  w.kv("imagePullPolicy", "IfNotPresent").end_object().end_array();

  w.kv("restartPolicy", "Always").kv("terminationGracePeriodSeconds", 30);
  w.kv("dnsPolicy", "ClusterFirst").kv("serviceAccountName", p.service_account);
  w.kv("serviceAccount", p.service_account);
  if (!p.node_name.empty())
    w.kv("nodeName", p.node_name);
  w.key("securityContext").begin_object().end_object();
  w.kv("schedulerName", "default-scheduler").key("tolerations").begin_array();
  for (const char* taint : {"node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"}) {
    w.begin_object().kv("key", taint).kv("operator", "Exists").kv("effect", "NoExecute");
    w.kv("tolerationSeconds", 300).end_object();
  }
  w.end_array().kv("priority", 0).kv("enableServiceLinks", true);
  w.kv("preemptionPolicy", "PreemptLowerPriority").end_object();

  // status
  w.key("status").begin_object().kv("phase", p.phase).key("conditions").begin_array();
  auto condition = [&](const char* type, bool status, const std::string& at) {
    w.begin_object().kv("type", type).kv("status", status ? "True" : "False");
    w.key("lastProbeTime").null().kv("lastTransitionTime", at);
    if (!status) {
      w.kv("reason", "ContainersNotReady");
      w.kv("message", "containers with unready status: [" + container + "]");
    }
    w.end_object();
  };
  condition("Initialized", true, ts);
  condition("Ready", p.ready, ready_ts);
  condition("ContainersReady", p.ready, ready_ts);
  w.begin_object().kv("type", "PodScheduled").kv("status", p.node_name.empty() ? "False" : "True");
  w.key("lastProbeTime").null().kv("lastTransitionTime", ts).end_object();
  w.end_array();
  if (!p.host_ip.empty()) {
    w.kv("hostIP", p.host_ip);
    w.key("hostIPs").begin_array().begin_object().kv("ip", p.host_ip).end_object().end_array();
  }
  if (!p.pod_ip.empty()) {
    w.kv("podIP", p.pod_ip);
    w.key("podIPs").begin_array().begin_object().kv("ip", p.pod_ip).end_object().end_array();
  }
  w.kv("startTime", ts).key("containerStatuses").begin_array().begin_object();
  w.kv("name", container).key("state").begin_object();
  if (running) {
    w.key("running").begin_object().kv("startedAt", started).end_object();
  } else if (p.phase == "Succeeded" || p.phase == "Failed") {
    w.key("terminated").begin_object().kv("exitCode", p.phase == "Failed" ? 1 : 0);
    w.kv("reason", p.phase == "Failed" ? "Error" : "Completed").kv("startedAt", started);
    w.kv("finishedAt", ready_ts).end_object();
  } else {
    w.key("waiting").begin_object().kv("reason", "ContainerCreating").end_object();
  }
  w.end_object().key("lastState").begin_object().end_object();
  w.kv("ready", p.ready && running).kv("restartCount", 0).kv("image", image);
  w.kv("imageID", "registry.k8s.io/e2e-test-images/agnhost@sha256:" + random_hex(32));
  if (p.phase != "Pending")
    w.kv("containerID", "containerd://" + random_hex(32));
  w.kv("started", running).end_object().end_array();
  w.kv("qosClass", "Burstable").end_object();
  return w.end_object().take();
}

std::string make_namespace_json(const std::string& name, const labels_t& labels,
                                time_point created) {
  labels_t all = labels;
  all["kubernetes.io/metadata.name"] = name;
  json_writer w;
  w.begin_object().kv("kind", "Namespace").kv("apiVersion", "v1");
  begin_metadata(w, "", name, created);
  w.string_map("labels", all).end_object();
  w.key("spec").begin_object().key("finalizers").begin_array().value("kubernetes").end_array();
  w.end_object().key("status").begin_object().kv("phase", "Active").end_object();
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
  json_writer w;
  w.begin_object().kv("kind", "Node").kv("apiVersion", "v1");
  begin_metadata(w, "", name, created);
  w.string_map("labels", labels);
  w.key("annotations").begin_object().kv("node.alpha.kubernetes.io/ttl", "0");
  w.kv("volumes.kubernetes.io/controller-managed-attach-detach", "true").end_object().end_object();
  w.key("spec").begin_object().kv("providerID", "sim://" + region + "/" + zone + "/" + name);
  w.end_object();
  w.key("status").begin_object().string_map("capacity", resources);
  w.string_map("allocatable", resources).key("conditions").begin_array();
  for (auto [type, status, reason] :
       {std::tuple{"MemoryPressure", "False", "KubeletHasSufficientMemory"},
        std::tuple{"DiskPressure", "False", "KubeletHasNoDiskPressure"},
        std::tuple{"PIDPressure", "False", "KubeletHasSufficientPID"},
        std::tuple{"Ready", "True", "KubeletReady"}}) {
    w.begin_object().kv("type", type).kv("status", status).kv("lastHeartbeatTime", ts);
    w.kv("lastTransitionTime", ts).kv("reason", reason).end_object();
  }
  w.end_array().key("addresses").begin_array();
  w.begin_object().kv("type", "InternalIP").kv("address", internal_ip).end_object();
  w.begin_object().kv("type", "Hostname").kv("address", name).end_object().end_array();
  w.key("daemonEndpoints").begin_object().key("kubeletEndpoint").begin_object();
  w.kv("Port", 10250).end_object().end_object();
  w.key("nodeInfo").begin_object().kv("machineID", random_hex(16));
  w.kv("systemUUID", make_uid()).kv("bootID", make_uid()).kv("kernelVersion", "6.1.0-sim");
  w.kv("osImage", "Debian GNU/Linux 12 (bookworm)");
  w.kv("containerRuntimeVersion", "containerd://1.7.13").kv("kubeletVersion", "v1.29.2");
  w.kv("kubeProxyVersion", "v1.29.2").kv("operatingSystem", "linux").kv("architecture", "amd64");
  w.end_object().end_object();
  return w.end_object().take();
}

std::string make_service_json(const std::string& ns, const std::string& name,
                              const labels_t& selector, const std::string& cluster_ip,
                              const std::vector<service_port>& ports, time_point created,
                              const labels_t& labels) {
  json_writer w;
  w.begin_object().kv("kind", "Service").kv("apiVersion", "v1");
  begin_metadata(w, ns, name, created);
  if (!labels.empty())
    w.string_map("labels", labels);
  w.end_object().key("spec").begin_object().key("ports").begin_array();
  for (const auto& port : ports) {
    w.begin_object();
    if (!port.name.empty())
      w.kv("name", port.name);
    w.kv("protocol", port.protocol).kv("port", port.port).key("targetPort");
    if (port.target_port.empty())
      w.value(port.port);
    else if (all_digits(port.target_port) && port.target_port.size() <= 5)
      w.value(std::stoi(port.target_port));
    else
      w.value(port.target_port);
    w.end_object();
  }
  w.end_array().string_map("selector", selector);
  w.kv("clusterIP", cluster_ip).key("clusterIPs").begin_array().value(cluster_ip).end_array();
  w.kv("type", "ClusterIP").kv("sessionAffinity", "None");
  w.key("ipFamilies").begin_array().value(ip_family(cluster_ip)).end_array();
  w.kv("ipFamilyPolicy", "SingleStack").kv("internalTrafficPolicy", "Cluster").end_object();
  w.key("status").begin_object().key("loadBalancer").begin_object().end_object().end_object();
  return w.end_object().take();
}

std::string make_secret_json(const std::string& ns, const std::string& name, const labels_t& labels,
                             const labels_t& data, time_point created) {
  json_writer w;
  w.begin_object().kv("kind", "Secret").kv("apiVersion", "v1");
  begin_metadata(w, ns, name, created);
  if (!labels.empty())
    w.string_map("labels", labels);
  w.end_object().key("data").begin_object();
  for (const auto& [k, v] : data)
    w.kv(k, base64_encode(v));
  w.end_object().kv("type", "Opaque");
  return w.end_object().take();
}

namespace {

std::string dotted(uint32_t a, uint32_t b, uint32_t c, uint32_t d) {
  return std::to_string(a) + '.' + std::to_string(b) + '.' + std::to_string(c) + '.'
         + std::to_string(d);
}

void require(bool ok, const char* what) {
  if (!ok)
    throw std::out_of_range(what);
}

} // namespace

std::string pod_ip(uint32_t cluster_index, uint32_t i) {
  // Four /16s per cluster: 10.<4c + n/65536>.<n/256 % 256>.<n % 256> with n = i + 1, so up to
  // 262,143 pods in each of 60 clusters, clear of node addresses (10.250.x.y).
  require(cluster_index < 60 && i < 262'143, "pod_ip: cluster index or pod index out of range");
  auto n = i + 1;
  return dotted(10, cluster_index * 4 + n / 65536, (n / 256) % 256, n % 256);
}

std::string service_ip(uint32_t cluster_index, uint32_t i) {
  require(i < 65000, "service_ip: service index out of range");
  return dotted(172, 16 + cluster_index % 16, (i + 1) / 256, (i + 1) % 256);
}

std::string node_ip(uint32_t cluster_index, uint32_t i) {
  require(cluster_index < 200 && i < 254, "node_ip: cluster index or node index out of range");
  return dotted(10, 250, cluster_index, i + 1);
}

} // namespace ambient::sim
