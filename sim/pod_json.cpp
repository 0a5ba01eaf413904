#include "sim/pod_json.hpp"

#include "base/json_writer.hpp"
#include "sim/object_metadata.hpp"
#include "sim/pki.hpp"

namespace ambient::sim {

namespace {

using labels_t = std::map<std::string, std::string>;

} // namespace

std::string make_pod_json(const pod_params& p, std::chrono::system_clock::time_point created) {
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

  base::json_writer w;
  w.begin_object().member("kind", "Pod").member("apiVersion", "v1");
  begin_metadata(w, p.namespace_, p.name, created);
  if (!p.owner_name.empty())
    w.member("generateName", p.owner_name + "-");
  w.string_map("labels", labels);
  if (!p.annotations.empty())
    w.string_map("annotations", p.annotations);
  if (!p.owner_kind.empty()) {
    w.key("ownerReferences").begin_array().begin_object();
    w.member("apiVersion", p.owner_kind == "ReplicaSet" || p.owner_kind == "StatefulSet"
                                   || p.owner_kind == "DaemonSet"
                               ? "apps/v1"
                               : "v1");
    w.member("kind", p.owner_kind).member("name", p.owner_name).member("uid", make_uid());
    w.member("controller", true).member("blockOwnerDeletion", true).end_object().end_array();
  }
  w.end_object();

  // spec
  w.key("spec").begin_object();
  w.key("volumes").begin_array().begin_object().member("name", volume);
  w.key("projected").begin_object().key("sources").begin_array();
  w.begin_object().key("serviceAccountToken").begin_object();
  w.member("expirationSeconds", 3607).member("path", "token").end_object().end_object();
  w.begin_object().key("configMap").begin_object().member("name", "kube-root-ca.crt");
  w.key("items").begin_array().begin_object().member("key", "ca.crt").member("path", "ca.crt");
  w.end_object().end_array().end_object().end_object();
  w.begin_object().key("downwardAPI").begin_object().key("items").begin_array();
  w.begin_object().member("path", "namespace").key("fieldRef").begin_object();
  w.member("apiVersion", "v1").member("fieldPath", "metadata.namespace").end_object().end_object();
  w.end_array().end_object().end_object();
  w.end_array().member("defaultMode", 420).end_object().end_object().end_array();

  w.key("containers").begin_array().begin_object();
  w.member("name", container).member("image", image);
  w.key("args").begin_array().value("netexec").value("--http-port=" + std::to_string(probe_port));
  w.end_array();
  if (!p.container_ports.empty()) {
    w.key("ports").begin_array();
    for (const auto& [port_name, port] : p.container_ports) {
      w.begin_object();
      if (!port_name.empty())
        w.member("name", port_name);
      w.member("containerPort", port).member("protocol", "TCP").end_object();
    }
    w.end_array();
  }
  w.key("env").begin_array();
  for (auto [env, path] :
       {std::pair{"POD_NAME", "metadata.name"}, std::pair{"POD_NAMESPACE", "metadata.namespace"},
        std::pair{"POD_IP", "status.podIP"}}) {
    w.begin_object()
        .member("name", env)
        .key("valueFrom")
        .begin_object()
        .key("fieldRef")
        .begin_object();
    w.member("apiVersion", "v1").member("fieldPath", path).end_object().end_object().end_object();
  }
  w.end_array();
  w.key("resources").begin_object();
  w.key("limits").begin_object().member("cpu", "500m").member("memory", "256Mi").end_object();
  w.key("requests").begin_object().member("cpu", "100m").member("memory", "128Mi").end_object();
  w.end_object();
  w.key("volumeMounts")
      .begin_array()
      .begin_object()
      .member("name", volume)
      .member("readOnly", true);
  w.member("mountPath", "/var/run/secrets/kubernetes.io/serviceaccount").end_object().end_array();
  for (const char* probe : {"livenessProbe", "readinessProbe"}) {
    w.key(probe).begin_object().key("httpGet").begin_object().member("path", "/healthz");
    w.member("port", probe_port).member("scheme", "HTTP").end_object();
    w.member("timeoutSeconds", 1).member("periodSeconds", 10).member("successThreshold", 1);
    w.member("failureThreshold", 3).end_object();
  }
  w.member("terminationMessagePath", "/dev/termination-log")
      .member("terminationMessagePolicy", "File");
  w.member("imagePullPolicy", "IfNotPresent").end_object().end_array();

  w.member("restartPolicy", "Always").member("terminationGracePeriodSeconds", 30);
  w.member("dnsPolicy", "ClusterFirst").member("serviceAccountName", p.service_account);
  w.member("serviceAccount", p.service_account);
  if (!p.node_name.empty())
    w.member("nodeName", p.node_name);
  w.key("securityContext").begin_object().end_object();
  w.member("schedulerName", "default-scheduler").key("tolerations").begin_array();
  for (const char* taint : {"node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"}) {
    w.begin_object()
        .member("key", taint)
        .member("operator", "Exists")
        .member("effect", "NoExecute");
    w.member("tolerationSeconds", 300).end_object();
  }
  w.end_array().member("priority", 0).member("enableServiceLinks", true);
  w.member("preemptionPolicy", "PreemptLowerPriority").end_object();

  // status
  w.key("status").begin_object().member("phase", p.phase).key("conditions").begin_array();
  auto condition = [&](const char* type, bool status, const std::string& at) {
    w.begin_object().member("type", type).member("status", status ? "True" : "False");
    w.key("lastProbeTime").value(nullptr).member("lastTransitionTime", at);
    if (!status) {
      w.member("reason", "ContainersNotReady");
      w.member("message", "containers with unready status: [" + container + "]");
    }
    w.end_object();
  };
  condition("Initialized", true, ts);
  condition("Ready", p.ready, ready_ts);
  condition("ContainersReady", p.ready, ready_ts);
  w.begin_object()
      .member("type", "PodScheduled")
      .member("status", p.node_name.empty() ? "False" : "True");
  w.key("lastProbeTime").value(nullptr).member("lastTransitionTime", ts).end_object();
  w.end_array();
  if (!p.host_ip.empty()) {
    w.member("hostIP", p.host_ip);
    w.key("hostIPs").begin_array().begin_object().member("ip", p.host_ip).end_object().end_array();
  }
  if (!p.pod_ip.empty()) {
    w.member("podIP", p.pod_ip);
    w.key("podIPs").begin_array().begin_object().member("ip", p.pod_ip).end_object().end_array();
  }
  w.member("startTime", ts).key("containerStatuses").begin_array().begin_object();
  w.member("name", container).key("state").begin_object();
  if (running) {
    w.key("running").begin_object().member("startedAt", started).end_object();
  } else if (p.phase == "Succeeded" || p.phase == "Failed") {
    w.key("terminated").begin_object().member("exitCode", p.phase == "Failed" ? 1 : 0);
    w.member("reason", p.phase == "Failed" ? "Error" : "Completed").member("startedAt", started);
    w.member("finishedAt", ready_ts).end_object();
  } else {
    w.key("waiting").begin_object().member("reason", "ContainerCreating").end_object();
  }
  w.end_object().key("lastState").begin_object().end_object();
  w.member("ready", p.ready && running).member("restartCount", 0).member("image", image);
  w.member("imageID", "registry.k8s.io/e2e-test-images/agnhost@sha256:" + random_hex(32));
  if (p.phase != "Pending")
    w.member("containerID", "containerd://" + random_hex(32));
  w.member("started", running).end_object().end_array();
  w.member("qosClass", "Burstable").end_object();
  return w.end_object().take();
}

} // namespace ambient::sim
