#include <catch2/catch.hpp>

#include <chrono>
#include <string>

#include <yaml-cpp/yaml.h>

#include "base/base64.hpp"
#include "sim/kubeconfig_writer.hpp"
#include "sim/objects.hpp"
#include "sim/pki.hpp"

using namespace ambient::sim;
namespace base = ambient::base;

namespace {

/// 2024-03-01T12:34:56Z.
std::chrono::system_clock::time_point test_time() {
  return std::chrono::system_clock::time_point{std::chrono::seconds{1709296496}};
}

pod_params typical_pod() {
  pod_params p;
  p.namespace_ = "echo";
  p.name = "echo-7d9c6b5f4-x2k8p";
  p.node_name = "cluster-1-node-0";
  p.pod_ip = "10.1.0.7";
  p.host_ip = "10.250.1.1";
  p.labels = {{"app", "echo"}, {"version", "v1"}};
  p.annotations = {{"ambient.istio.io/redirection", "enabled"}};
  p.owner_name = "echo-7d9c6b5f4";
  p.container_ports = {{"http", 8080}, {"grpc", 9090}};
  return p;
}

/// The status of the condition of the given type, or "" if absent.
std::string condition(const YAML::Node& pod, const std::string& type) {
  for (const auto& c : pod["status"]["conditions"])
    if (c["type"].as<std::string>() == type)
      return c["status"].as<std::string>();
  return "";
}

} // namespace

TEST_CASE("a typical pod is a realistic 2-4 KB kubelet-reported object", "[sim]") {
  auto json = make_pod_json(typical_pod(), test_time());
  CHECK(json.size() >= 2048);
  CHECK(json.size() <= 4096);
  CHECK(json.find('\n') == std::string::npos);
  auto pod = YAML::Load(json);
  CHECK(pod["kind"].as<std::string>() == "Pod");
  CHECK(pod["apiVersion"].as<std::string>() == "v1");
  const auto& meta = pod["metadata"];
  CHECK(meta["name"].as<std::string>() == "echo-7d9c6b5f4-x2k8p");
  CHECK(meta["namespace"].as<std::string>() == "echo");
  CHECK(meta["uid"].as<std::string>().size() == 36);
  CHECK(meta["creationTimestamp"].as<std::string>() == "2024-03-01T12:34:56Z");
  CHECK_FALSE(meta["resourceVersion"]);
  CHECK(meta["labels"]["app"].as<std::string>() == "echo");
  CHECK(meta["labels"]["pod-template-hash"].as<std::string>() == "7d9c6b5f4");
  CHECK(meta["annotations"]["ambient.istio.io/redirection"].as<std::string>() == "enabled");
  REQUIRE(meta["ownerReferences"].size() == 1);
  CHECK(meta["ownerReferences"][0]["kind"].as<std::string>() == "ReplicaSet");
  CHECK(meta["ownerReferences"][0]["name"].as<std::string>() == "echo-7d9c6b5f4");
  CHECK(meta["ownerReferences"][0]["apiVersion"].as<std::string>() == "apps/v1");
  CHECK(meta["ownerReferences"][0]["controller"].as<bool>());

  const auto& spec = pod["spec"];
  CHECK(spec["nodeName"].as<std::string>() == "cluster-1-node-0");
  CHECK(spec["serviceAccountName"].as<std::string>() == "default");
  REQUIRE(spec["containers"].size() == 1);
  CHECK(spec["containers"][0]["ports"][1]["name"].as<std::string>() == "grpc");
  CHECK(spec["containers"][0]["ports"][1]["containerPort"].as<int>() == 9090);

  const auto& status = pod["status"];
  CHECK(status["phase"].as<std::string>() == "Running");
  CHECK(status["podIP"].as<std::string>() == "10.1.0.7");
  REQUIRE(status["podIPs"].size() == 1);
  CHECK(status["podIPs"][0]["ip"].as<std::string>() == "10.1.0.7");
  CHECK(status["hostIP"].as<std::string>() == "10.250.1.1");
  CHECK(status["containerStatuses"][0]["ready"].as<bool>());
  for (const char* type : {"PodScheduled", "Initialized", "ContainersReady", "Ready"})
    CHECK(condition(pod, type) == "True");
}

TEST_CASE("a pod's Ready conditions follow the ready flag", "[sim]") {
  auto p = typical_pod();
  p.ready = false;
  auto pod = YAML::Load(make_pod_json(p, test_time()));
  CHECK(condition(pod, "Ready") == "False");
  CHECK(condition(pod, "ContainersReady") == "False");
  CHECK(condition(pod, "Initialized") == "True");
  CHECK(condition(pod, "PodScheduled") == "True");
  CHECK_FALSE(pod["status"]["containerStatuses"][0]["ready"].as<bool>());
}

TEST_CASE("a pod without an owner kind has no ownerReferences", "[sim]") {
  auto p = typical_pod();
  p.owner_kind = "";
  p.owner_name = "";
  auto pod = YAML::Load(make_pod_json(p, test_time()));
  CHECK_FALSE(pod["metadata"]["ownerReferences"]);
  CHECK_FALSE(pod["metadata"]["labels"]["pod-template-hash"]);
}

TEST_CASE("an IPv6 pod lists its address in podIPs", "[sim]") {
  auto p = typical_pod();
  p.pod_ip = "fd00:10:1::7";
  auto pod = YAML::Load(make_pod_json(p, test_time()));
  CHECK(pod["status"]["podIP"].as<std::string>() == "fd00:10:1::7");
  CHECK(pod["status"]["podIPs"][0]["ip"].as<std::string>() == "fd00:10:1::7");
}

TEST_CASE("pod strings are JSON-escaped", "[sim]") {
  auto p = typical_pod();
  p.annotations = {{"note", "a \"quoted\" back\\slash\nnew line\x01"}};
  auto pod = YAML::Load(make_pod_json(p, test_time()));
  CHECK(pod["metadata"]["annotations"]["note"].as<std::string>()
        == "a \"quoted\" back\\slash\nnew line\x01");
}

TEST_CASE("a namespace carries its labels and the metadata.name label", "[sim]") {
  auto ns = YAML::Load(
      make_namespace_json("echo", {{"istio.io/dataplane-mode", "ambient"}}, test_time()));
  CHECK(ns["kind"].as<std::string>() == "Namespace");
  CHECK(ns["metadata"]["name"].as<std::string>() == "echo");
  CHECK_FALSE(ns["metadata"]["namespace"]);
  CHECK(ns["metadata"]["labels"]["istio.io/dataplane-mode"].as<std::string>() == "ambient");
  CHECK(ns["metadata"]["labels"]["kubernetes.io/metadata.name"].as<std::string>() == "echo");
  CHECK(ns["status"]["phase"].as<std::string>() == "Active");
}

TEST_CASE("a node carries topology labels, an InternalIP and a Ready condition", "[sim]") {
  auto node = YAML::Load(
      make_node_json("cluster-1-node-0", "us-east1", "us-east1-b", "10.250.1.1", test_time()));
  const auto& labels = node["metadata"]["labels"];
  CHECK(labels["topology.kubernetes.io/region"].as<std::string>() == "us-east1");
  CHECK(labels["topology.kubernetes.io/zone"].as<std::string>() == "us-east1-b");
  CHECK(labels["kubernetes.io/hostname"].as<std::string>() == "cluster-1-node-0");
  bool internal_ip = false;
  for (const auto& a : node["status"]["addresses"])
    internal_ip |= a["type"].as<std::string>() == "InternalIP"
                   && a["address"].as<std::string>() == "10.250.1.1";
  CHECK(internal_ip);
  CHECK(condition(node, "Ready") == "True");
}

TEST_CASE("a service selects pods and maps numeric and named target ports", "[sim]") {
  auto svc
      = YAML::Load(make_service_json("echo", "echo", {{"app", "echo"}}, "172.17.0.5",
                                     {{"http", 80, "8080"}, {"grpc", 9090, "grpc"}}, test_time()));
  CHECK(svc["kind"].as<std::string>() == "Service");
  CHECK(svc["metadata"]["namespace"].as<std::string>() == "echo");
  CHECK(svc["spec"]["selector"]["app"].as<std::string>() == "echo");
  CHECK(svc["spec"]["clusterIP"].as<std::string>() == "172.17.0.5");
  CHECK(svc["spec"]["type"].as<std::string>() == "ClusterIP");
  REQUIRE(svc["spec"]["ports"].size() == 2);
  CHECK(svc["spec"]["ports"][0]["port"].as<int>() == 80);
  CHECK(svc["spec"]["ports"][0]["targetPort"].as<int>() == 8080);
  CHECK(svc["spec"]["ports"][0]["protocol"].as<std::string>() == "TCP");
  CHECK(svc["spec"]["ports"][1]["targetPort"].as<std::string>() == "grpc");
  auto json
      = make_service_json("echo", "echo", {}, "172.17.0.5", {{"http", 80, "8080"}}, test_time());
  CHECK(json.find(R"("targetPort":8080)") != std::string::npos);
}

TEST_CASE("a service with cluster IP None is headless", "[sim]") {
  auto svc = YAML::Load(
      make_service_json("db", "db", {{"app", "db"}}, "None", {{"tcp", 5432, "5432"}}, test_time()));
  CHECK(svc["spec"]["clusterIP"].as<std::string>() == "None");
  CHECK(svc["spec"]["clusterIPs"][0].as<std::string>() == "None");
}

TEST_CASE("a secret is Opaque with labels and base64 data", "[sim]") {
  auto secret = YAML::Load(make_secret_json(
      "istio-system", "istio-remote-secret-cluster-2", {{"istio/multiCluster", "true"}},
      {{"cluster-2", "apiVersion: v1\nkind: Config\n"}}, test_time()));
  CHECK(secret["type"].as<std::string>() == "Opaque");
  CHECK(secret["metadata"]["labels"]["istio/multiCluster"].as<std::string>() == "true");
  auto data = base::decode_base64(secret["data"]["cluster-2"].as<std::string>());
  REQUIRE(data);
  CHECK(*data == "apiVersion: v1\nkind: Config\n");
}

TEST_CASE("generated fleet addresses are deterministic and distinct", "[sim]") {
  CHECK(pod_ip(3, 0) == "10.12.0.1");
  CHECK(pod_ip(3, 300) == "10.12.1.45");
  CHECK(pod_ip(3, 100000) == "10.13.134.161");
  CHECK(pod_ip(3, 300) == pod_ip(3, 300));
  CHECK(pod_ip(3, 1) != pod_ip(4, 1));
  CHECK(apiserver_service_ip(0) == "172.16.0.1");
  CHECK(apiserver_service_ip(17) == "172.17.0.1");
  CHECK(service_ip(0, 0) == "172.16.0.2");
  CHECK(service_ip(17, 4) == "172.17.0.6");
  CHECK(service_ip(0, 254) == "172.16.1.0");
  CHECK(node_ip(2, 0) == "10.250.2.1");
  CHECK_THROWS_AS(pod_ip(60, 0), std::out_of_range);
  CHECK_THROWS_AS(pod_ip(0, 262143), std::out_of_range);
  CHECK_THROWS_AS(node_ip(0, 254), std::out_of_range);
}

TEST_CASE("a token kubeconfig parses back with the inline CA and current context", "[sim]") {
  auto ca = certificate_authority::create("sim CA");
  kubeconfig_spec spec;
  spec.cluster_name = "cluster-1";
  spec.server = "https://127.0.0.1:6443";
  spec.ca_pem = ca.cert_pem();
  spec.token = "abc123";
  spec.tls_server_name = "kubernetes.default.svc";
  spec.namespace_ = "istio-system";
  auto config = YAML::Load(write_kubeconfig(spec));
  CHECK(config["apiVersion"].as<std::string>() == "v1");
  CHECK(config["kind"].as<std::string>() == "Config");
  CHECK(config["current-context"].as<std::string>() == "cluster-1");
  const auto& cluster = config["clusters"][0];
  CHECK(cluster["name"].as<std::string>() == "cluster-1");
  CHECK(cluster["cluster"]["server"].as<std::string>() == "https://127.0.0.1:6443");
  CHECK(cluster["cluster"]["tls-server-name"].as<std::string>() == "kubernetes.default.svc");
  auto ca_pem
      = base::decode_base64(cluster["cluster"]["certificate-authority-data"].as<std::string>());
  REQUIRE(ca_pem);
  CHECK(*ca_pem == ca.cert_pem());
  const auto& user = config["users"][0];
  CHECK(user["name"].as<std::string>() == "cluster-1-admin");
  CHECK(user["user"]["token"].as<std::string>() == "abc123");
  CHECK_FALSE(user["user"]["client-certificate-data"]);
  const auto& context = config["contexts"][0];
  CHECK(context["name"].as<std::string>() == "cluster-1");
  CHECK(context["context"]["cluster"].as<std::string>() == "cluster-1");
  CHECK(context["context"]["user"].as<std::string>() == "cluster-1-admin");
  CHECK(context["context"]["namespace"].as<std::string>() == "istio-system");
}

TEST_CASE("a client-certificate kubeconfig carries the certificate and key inline", "[sim]") {
  auto ca = certificate_authority::create("sim CA");
  auto client = ca.issue_client("ambient", {"system:masters"});
  kubeconfig_spec spec;
  spec.cluster_name = "cluster-2";
  spec.server = "https://127.0.0.1:7443";
  spec.ca_pem = ca.cert_pem();
  spec.client_cert_pem = client.cert_pem;
  spec.client_key_pem = client.key_pem;
  auto config = YAML::Load(write_kubeconfig(spec));
  CHECK(config["current-context"].as<std::string>() == "cluster-2");
  const auto& user = config["users"][0]["user"];
  CHECK_FALSE(user["token"]);
  CHECK(base::decode_base64(user["client-certificate-data"].as<std::string>()) == client.cert_pem);
  CHECK(base::decode_base64(user["client-key-data"].as<std::string>()) == client.key_pem);
  CHECK_FALSE(config["clusters"][0]["cluster"]["tls-server-name"]);
  CHECK_FALSE(config["contexts"][0]["context"]["namespace"]);
}
