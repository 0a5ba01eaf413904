#include <catch2/catch.hpp>

#include <string>

#include "kube/api_envelope.hpp"
#include "kube/decode.hpp"
#include "kube/resource_kind.hpp"

using namespace ambient::kube;

constexpr auto pods = resource_kind::pods;

namespace {

/// A Pod as the API server returns it for a kubelet-managed StatefulSet replica (dual stack).
const std::string pod_json = R"({
  "kind": "Pod",
  "apiVersion": "v1",
  "metadata": {
    "name": "web-0",
    "generateName": "web-",
    "namespace": "default",
    "uid": "5f0c2a8e-4b1d-4c59-9a0e-0d6c3b1e7a21",
    "resourceVersion": "184467",
    "creationTimestamp": "2024-05-02T09:14:07Z",
    "labels": {
      "app": "web",
      "controller-revision-hash": "web-7d9c6b5f84",
      "apps.kubernetes.io/pod-index": "0",
      "statefulset.kubernetes.io/pod-name": "web-0",
      "security.istio.io/tlsMode": "istio",
      "service.istio.io/canonical-name": "web",
      "service.istio.io/canonical-revision": "v1"
    },
    "annotations": {
      "ambient.istio.io/redirection": "enabled",
      "kubectl.kubernetes.io/last-applied-configuration": "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"web-0\"}}\n",
      "prometheus.io/port": "15020",
      "prometheus.io/scrape": "true"
    },
    "ownerReferences": [
      {
        "apiVersion": "apps/v1",
        "kind": "StatefulSet",
        "name": "web",
        "uid": "0b4c9a3f-7e21-4f0a-8d63-2f1e9c7b5a10",
        "controller": true,
        "blockOwnerDeletion": true
      }
    ],
    "managedFields": [
      {
        "manager": "kube-controller-manager",
        "operation": "Update",
        "apiVersion": "v1",
        "time": "2024-05-02T09:14:07Z",
        "fieldsType": "FieldsV1",
        "fieldsV1": {"f:metadata": {"f:generateName": {}, "f:labels": {".": {}, "f:app": {}}}}
      },
      {
        "manager": "kubelet",
        "operation": "Update",
        "apiVersion": "v1",
        "time": "2024-05-02T09:14:12Z",
        "fieldsType": "FieldsV1",
        "fieldsV1": {"f:status": {"f:conditions": {"k:{\"type\":\"Ready\"}": {".": {}}}}},
        "subresource": "status"
      }
    ]
  },
  "spec": {
    "volumes": [
      {
        "name": "kube-api-access-x7k2p",
        "projected": {
          "sources": [
            {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
            {"configMap": {"name": "kube-root-ca.crt", "items": [{"key": "ca.crt", "path": "ca.crt"}]}}
          ],
          "defaultMode": 420
        }
      }
    ],
    "containers": [
      {
        "name": "web",
        "image": "registry.k8s.io/e2e-test-images/agnhost:2.45",
        "args": ["netexec", "--http-port=8080", "--grpc-port=9090"],
        "ports": [
          {"name": "http", "containerPort": 8080, "protocol": "TCP"},
          {"name": "grpc", "containerPort": 9090, "protocol": "TCP"}
        ],
        "resources": {"limits": {"cpu": "500m", "memory": "256Mi"}, "requests": {"cpu": "100m", "memory": "128Mi"}},
        "readinessProbe": {"httpGet": {"path": "/healthz", "port": 8080, "scheme": "HTTP"}, "periodSeconds": 10},
        "terminationMessagePath": "/dev/termination-log",
        "imagePullPolicy": "IfNotPresent"
      },
      {
        "name": "metrics",
        "image": "registry.k8s.io/e2e-test-images/agnhost:2.45",
        "ports": [{"containerPort": 15020, "protocol": "TCP"}]
      }
    ],
    "restartPolicy": "Always",
    "terminationGracePeriodSeconds": 30,
    "dnsPolicy": "ClusterFirst",
    "serviceAccountName": "web",
    "serviceAccount": "web",
    "nodeName": "worker-a-1",
    "hostNetwork": false,
    "securityContext": {},
    "hostname": "web-0",
    "subdomain": "web",
    "schedulerName": "default-scheduler",
    "tolerations": [
      {"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300}
    ],
    "priority": 0,
    "enableServiceLinks": true,
    "preemptionPolicy": "PreemptLowerPriority"
  },
  "status": {
    "phase": "Running",
    "conditions": [
      {"type": "Initialized", "status": "True", "lastProbeTime": null, "lastTransitionTime": "2024-05-02T09:14:07Z"},
      {"type": "Ready", "status": "True", "lastProbeTime": null, "lastTransitionTime": "2024-05-02T09:14:12Z"},
      {"type": "ContainersReady", "status": "True", "lastProbeTime": null, "lastTransitionTime": "2024-05-02T09:14:12Z"},
      {"type": "PodScheduled", "status": "True", "lastProbeTime": null, "lastTransitionTime": "2024-05-02T09:14:07Z"}
    ],
    "hostIP": "172.18.0.3",
    "hostIPs": [{"ip": "172.18.0.3"}],
    "podIP": "10.244.1.17",
    "podIPs": [{"ip": "10.244.1.17"}, {"ip": "fd00:10:244:1::11"}],
    "startTime": "2024-05-02T09:14:07Z",
    "containerStatuses": [
      {
        "name": "web",
        "state": {"running": {"startedAt": "2024-05-02T09:14:10Z"}},
        "lastState": {},
        "ready": true,
        "restartCount": 0,
        "image": "registry.k8s.io/e2e-test-images/agnhost:2.45",
        "imageID": "registry.k8s.io/e2e-test-images/agnhost@sha256:7e8bdd271312fd25fc5ff5a8f04727be84044eb3d7d8d03611972a6752e2e11e",
        "containerID": "containerd://3b1f0f4c8d2a9e7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b",
        "started": true
      }
    ],
    "qosClass": "Burstable"
  }
})";

const std::string service_json = R"({
  "kind": "Service",
  "apiVersion": "v1",
  "metadata": {
    "name": "reviews",
    "namespace": "bookinfo",
    "uid": "d1f3c1a2-9b7e-4e55-8f0a-6c2b1d9e8f70",
    "resourceVersion": "9912",
    "labels": {"app": "reviews", "istio.io/global": "true"},
    "annotations": {"networking.istio.io/traffic-distribution": "PreferClose"}
  },
  "spec": {
    "ports": [
      {"name": "http", "protocol": "TCP", "appProtocol": "http", "port": 9080, "targetPort": 9080},
      {"name": "grpc", "protocol": "TCP", "port": 9090, "targetPort": "grpc-port"},
      {"name": "metrics", "protocol": "TCP", "port": 15020}
    ],
    "selector": {"version": "v1", "app": "reviews"},
    "clusterIP": "10.96.12.34",
    "clusterIPs": ["10.96.12.34", "fd00:10:96::1234"],
    "type": "ClusterIP",
    "sessionAffinity": "None",
    "ipFamilies": ["IPv4", "IPv6"],
    "ipFamilyPolicy": "PreferDualStack",
    "internalTrafficPolicy": "Local",
    "trafficDistribution": "PreferClose"
  },
  "status": {"loadBalancer": {}}
})";

const std::string headless_service_json = R"({"kind":"Service","apiVersion":"v1",
  "metadata":{"name":"web","namespace":"default","resourceVersion":"77"},
  "spec":{"ports":[{"name":"http","protocol":"TCP","port":80,"targetPort":"http"}],
    "selector":{"app":"web"},"clusterIP":"None","clusterIPs":["None"],"type":"ClusterIP",
    "publishNotReadyAddresses":true,"ipFamilies":["IPv4"]}})";

const std::string namespace_json = R"({"kind":"Namespace","apiVersion":"v1",
  "metadata":{"name":"istio-system","uid":"0e6d2b8c-3a11-4f3e-9c2d-7b8a6e5f4d3c",
    "resourceVersion":"311","creationTimestamp":"2024-05-01T08:00:00Z",
    "labels":{"kubernetes.io/metadata.name":"istio-system","topology.istio.io/network":"network1"}},
  "spec":{"finalizers":["kubernetes"]},"status":{"phase":"Active"}})";

const std::string node_json = R"({"kind":"Node","apiVersion":"v1",
  "metadata":{"name":"worker-a-1","uid":"7a1c9e3b-2d4f-4b6a-8c0e-1f3a5b7c9d2e","resourceVersion":"5120",
    "labels":{"kubernetes.io/hostname":"worker-a-1","topology.kubernetes.io/region":"eu-west-1",
      "topology.kubernetes.io/zone":"eu-west-1a","topology.istio.io/subzone":"rack-7"},
    "annotations":{"node.alpha.kubernetes.io/ttl":"0"}},
  "spec":{"podCIDR":"10.244.1.0/24","podCIDRs":["10.244.1.0/24"],"providerID":"kind://docker/kind/worker-a-1"},
  "status":{"capacity":{"cpu":"8","pods":"110"},
    "conditions":[{"type":"Ready","status":"True","reason":"KubeletReady"}],
    "addresses":[{"type":"Hostname","address":"worker-a-1"},{"type":"InternalIP","address":"172.18.0.3"},
      {"type":"InternalIP","address":"fc00:f853:ccd:e793::3"}],
    "daemonEndpoints":{"kubeletEndpoint":{"Port":10250}},
    "nodeInfo":{"kubeletVersion":"v1.29.2","architecture":"amd64"}}})";

const std::string endpoint_slice_json
    = R"({"kind":"EndpointSlice","apiVersion":"discovery.k8s.io/v1",
  "metadata":{"name":"reviews-7xk2p","generateName":"reviews-","namespace":"bookinfo",
    "resourceVersion":"9930","labels":{"endpointslice.kubernetes.io/managed-by":"endpointslice-controller.k8s.io",
      "kubernetes.io/service-name":"reviews"},
    "ownerReferences":[{"apiVersion":"v1","kind":"Service","name":"reviews","controller":true}]},
  "addressType":"IPv4",
  "endpoints":[
    {"addresses":["10.244.1.21"],"conditions":{"ready":true,"serving":true,"terminating":false},
     "targetRef":{"kind":"Pod","namespace":"bookinfo","name":"reviews-v1-5b4c8d7f6-abcde","uid":"x"},
     "nodeName":"worker-a-1","zone":"eu-west-1a"},
    {"addresses":["10.244.2.9"],"conditions":{"ready":false,"serving":false,"terminating":true},
     "targetRef":{"kind":"Pod","namespace":"bookinfo","name":"reviews-v1-5b4c8d7f6-fghij"},
     "nodeName":"worker-a-2"},
    {"addresses":["10.244.3.4"],"conditions":{}}
  ],
  "ports":[{"name":"http","protocol":"TCP","port":9080},{"name":"all","protocol":"TCP","port":null},
    {"port":8443}]})";

const std::string kubeconfig_text
    = "apiVersion: v1\nkind: Config\nclusters:\n- cluster:\n    server: "
      "https://10.0.0.2:6443\n  name: cluster2\n";

const std::string secret_json = R"({"kind":"Secret","apiVersion":"v1",
  "metadata":{"name":"istio-remote-secret-cluster2","namespace":"istio-system","resourceVersion":"4410",
    "labels":{"istio/multiCluster":"true"},"annotations":{"networking.istio.io/cluster":"cluster2"}},
  "data":{"cluster2":"YXBpVmVyc2lvbjogdjEKa2luZDogQ29uZmlnCmNsdXN0ZXJzOgotIGNsdXN0ZXI6CiAgICBzZXJ2ZXI6IGh0dHBzOi8vMTAuMC4wLjI6NjQ0MwogIG5hbWU6IGNsdXN0ZXIyCg==",
    "binary":"AP8QYmluYXJ5","ab":"YWI"},
  "type":"Opaque"})";

const std::string config_map_json = R"({"kind":"ConfigMap","apiVersion":"v1",
  "metadata":{"name":"ambientd-status","namespace":"istio-system","resourceVersion":"812"},
  "data":{"cluster2":"synced","cluster1":"{\"state\":\"stale\"}"},
  "binaryData":{"blob":"AAEC"}})";

const std::string lease_json = R"({"kind":"Lease","apiVersion":"coordination.k8s.io/v1",
  "metadata":{"name":"ambientd-leader","namespace":"istio-system","resourceVersion":"2201"},
  "spec":{"holderIdentity":"ambientd-6f7c9d8b5-x2k4q","leaseDurationSeconds":30,
    "acquireTime":"2024-05-02T09:00:00.000000Z","renewTime":"2024-05-02T09:14:30.123456Z",
    "leaseTransitions":3}})";

const std::string gateway_json = R"({"kind":"Gateway","apiVersion":"gateway.networking.k8s.io/v1",
  "metadata":{"name":"istio-eastwestgateway","namespace":"istio-system","resourceVersion":"610",
    "labels":{"topology.istio.io/network":"network1"}},
  "spec":{"gatewayClassName":"istio-east-west",
    "listeners":[{"name":"mesh","port":15008,"protocol":"HBONE","tls":{"mode":"Terminate"}},
      {"name":"status","port":15021,"protocol":"HTTP"}]},
  "status":{"addresses":[{"type":"IPAddress","value":"172.18.0.10"},{"type":"Hostname","value":"ew.example.com"},
      {"value":"172.18.0.11"},{"type":"example.com/custom","value":"x"}],
    "conditions":[{"type":"Programmed","status":"True"}]}})";

/// The decoded value; fails the test with the decoder's message otherwise.
template <class T>
T ok(decoded<T> d) {
  if (auto* e = std::get_if<decode_error>(&d))
    FAIL("unexpected decode error: " << e->message);
  return std::get<T>(std::move(d));
}

/// The decode error; fails the test when the decode succeeded.
template <class T>
decode_error err(decoded<T> d) {
  REQUIRE(std::holds_alternative<decode_error>(d));
  return std::get<decode_error>(std::move(d));
}

std::string event(std::string_view type, std::string_view object) {
  return std::string{R"({"type":")"} + std::string{type} + R"(","object":)" + std::string{object}
         + "}";
}

} // namespace

TEST_CASE("a kubelet pod decodes into the fields the mesh needs", "[kube]") {
  REQUIRE(pod_json.size() > 3000);
  const auto& p = ok(decode_as<pod>(pod_json));
  CHECK(p.meta.namespace_ == "default");
  CHECK(p.meta.name == "web-0");
  CHECK(p.meta.uid == "5f0c2a8e-4b1d-4c59-9a0e-0d6c3b1e7a21");
  CHECK(p.meta.resource_version == "184467");
  CHECK_FALSE(p.meta.deleting);
  REQUIRE(p.meta.labels.size() == 7);
  CHECK(p.meta.labels.front().first == "app");
  CHECK(lookup(p.meta.labels, "service.istio.io/canonical-revision") == "v1");
  CHECK(lookup(p.meta.annotations, "ambient.istio.io/redirection") == "enabled");
  CHECK_FALSE(lookup(p.meta.annotations, "kubectl.kubernetes.io/last-applied-configuration"));
  CHECK(p.meta.annotations.size() == 3);
  CHECK(p.node_name == "worker-a-1");
  CHECK(p.service_account == "web");
  CHECK(p.phase == "Running");
  CHECK(p.pod_ip == "10.244.1.17");
  CHECK(p.pod_ips == std::vector<std::string>{"10.244.1.17", "fd00:10:244:1::11"});
  CHECK(p.host_ip == "172.18.0.3");
  CHECK_FALSE(p.host_network);
  CHECK(p.ready);
  REQUIRE(p.owners.size() == 1);
  CHECK(p.owners[0] == owner_ref{"StatefulSet", "web", true});
  CHECK(p.generate_name == "web-");
  REQUIRE(p.ports.size() == 3);
  CHECK(p.ports[0] == container_port{"http", 8080, "TCP"});
  CHECK(p.ports[1] == container_port{"grpc", 9090, "TCP"});
  CHECK(p.ports[2] == container_port{"", 15020, "TCP"});
}

TEST_CASE("pod readiness and addresses follow the status", "[kube]") {
  const auto& p = ok(decode_as<pod>(R"({"metadata":{"name":"job-x","namespace":"batch",
    "deletionTimestamp":"2024-05-02T10:00:00Z"},
    "spec":{"serviceAccount":"legacy","hostNetwork":true,"containers":[{"name":"c"}]},
    "status":{"phase":"Pending","podIP":"172.18.0.4",
      "conditions":[{"status":"False","type":"Ready"},{"type":"PodScheduled","status":"True"}]}})"));
  CHECK(p.meta.deleting);
  CHECK_FALSE(p.ready);
  CHECK(p.host_network);
  CHECK(p.service_account == "legacy");
  CHECK(p.pod_ips == std::vector<std::string>{"172.18.0.4"});
  CHECK(p.ports.empty());
}

TEST_CASE("a service decodes ports selector and traffic policy", "[kube]") {
  const auto& s = ok(decode_as<service>(service_json));
  CHECK(s.meta.namespace_ == "bookinfo");
  CHECK(s.meta.name == "reviews");
  CHECK(lookup(s.meta.labels, "istio.io/global") == "true");
  CHECK(lookup(s.meta.annotations, "networking.istio.io/traffic-distribution") == "PreferClose");
  CHECK(s.type == "ClusterIP");
  CHECK(s.cluster_ip == "10.96.12.34");
  CHECK(s.cluster_ips == std::vector<std::string>{"10.96.12.34", "fd00:10:96::1234"});
  CHECK(s.ip_families == std::vector<std::string>{"IPv4", "IPv6"});
  CHECK(s.selector == string_map{{"app", "reviews"}, {"version", "v1"}});
  CHECK(s.internal_traffic_policy == "Local");
  CHECK(s.traffic_distribution == "PreferClose");
  CHECK_FALSE(s.headless);
  CHECK_FALSE(s.publish_not_ready_addresses);
  REQUIRE(s.ports.size() == 3);
  CHECK(s.ports[0] == service_port{"http", "TCP", "http", 9080, 9080, ""});
  CHECK(s.ports[1] == service_port{"grpc", "TCP", "", 9090, 0, "grpc-port"});
  CHECK(s.ports[2].target_port_number == 15020); // absent targetPort defaults to port
}

TEST_CASE("a service with cluster IP None is headless", "[kube]") {
  const auto& s = ok(decode_as<service>(headless_service_json));
  CHECK(s.headless);
  CHECK(s.publish_not_ready_addresses);
  REQUIRE(s.ports.size() == 1);
  CHECK(s.ports[0].target_port_name == "http");
  CHECK(s.ports[0].target_port_number == 0);
}

TEST_CASE("namespaces and nodes carry their labels", "[kube]") {
  const auto& ns = ok(decode_as<namespace_>(namespace_json));
  CHECK(ns.meta.name == "istio-system");
  CHECK(ns.meta.namespace_.empty());
  CHECK(lookup(ns.meta.labels, "topology.istio.io/network") == "network1");
  CHECK_FALSE(ns.terminating);

  const auto& n = ok(decode_as<node>(node_json));
  CHECK(n.meta.name == "worker-a-1");
  CHECK(n.internal_ip == "172.18.0.3");
  CHECK(lookup(n.meta.labels, "topology.kubernetes.io/region") == "eu-west-1");
  CHECK(lookup(n.meta.labels, "topology.kubernetes.io/zone") == "eu-west-1a");
  CHECK(lookup(n.meta.labels, "topology.istio.io/subzone") == "rack-7");
}

TEST_CASE("a namespace being deleted is marked terminating", "[kube]") {
  auto ns = ok(decode_as<namespace_>(R"({"kind":"Namespace","metadata":{"name":"old"},
    "spec":{"finalizers":["kubernetes"]},"status":{"phase":"Terminating"}})"));
  CHECK(ns.terminating);
  CHECK_FALSE(
      ok(decode_as<namespace_>(R"({"kind":"Namespace","metadata":{"name":"n"}})")).terminating);
  auto bad = decode_as<namespace_>(R"({"kind":"Namespace","metadata":{"name":"x"},
    "status":{"phase":3}})");
  CHECK(std::holds_alternative<decode_error>(bad));
}

TEST_CASE("an endpoint slice decodes endpoints and ports", "[kube]") {
  const auto& es = ok(decode_as<endpoint_slice>(endpoint_slice_json));
  CHECK(es.service_name == "reviews");
  CHECK(es.address_type == "IPv4");
  REQUIRE(es.endpoints.size() == 3);
  CHECK(es.endpoints[0]
        == endpoint_slice::endpoint{{"10.244.1.21"},
                                    true,
                                    "worker-a-1",
                                    "Pod",
                                    "bookinfo",
                                    "reviews-v1-5b4c8d7f6-abcde",
                                    "x"});
  CHECK_FALSE(es.endpoints[1].ready);
  CHECK(es.endpoints[1].target_name == "reviews-v1-5b4c8d7f6-fghij");
  CHECK(es.endpoints[1].target_uid.empty());
  CHECK(es.endpoints[2].ready); // no ready condition means ready
  CHECK(es.endpoints[2].target_kind.empty());
  REQUIRE(es.ports.size() == 3);
  CHECK(es.ports[0] == endpoint_slice::port{"http", "TCP", 9080});
  CHECK(es.ports[1].port == 0);
  // Absent is not empty: istiod skips a port without a name or protocol, keeps one named "".
  CHECK_FALSE(es.ports[2].name.has_value());
  CHECK_FALSE(es.ports[2].protocol.has_value());
}

TEST_CASE("secret data is base64 decoded and sorted", "[kube]") {
  const auto& s = ok(decode_as<secret>(secret_json));
  CHECK(s.type == "Opaque");
  CHECK(lookup(s.meta.labels, "istio/multiCluster") == "true");
  REQUIRE(s.data.size() == 3);
  CHECK(s.data[0] == std::pair<std::string, std::string>{"ab", "ab"}); // unpadded input
  CHECK(s.data[1].first == "binary");
  CHECK(s.data[1].second
        == std::string{"\x00\xff\x10"
                       "binary",
                       9});
  CHECK(s.data[2].first == "cluster2");
  CHECK(s.data[2].second == kubeconfig_text);
}

TEST_CASE("config maps leases and gateways decode", "[kube]") {
  const auto& cm = ok(decode_as<config_map>(config_map_json));
  CHECK(cm.data == string_map{{"cluster1", R"({"state":"stale"})"}, {"cluster2", "synced"}});

  const auto& l = ok(decode_as<lease>(lease_json));
  CHECK(l.holder_identity == "ambientd-6f7c9d8b5-x2k4q");
  CHECK(l.lease_duration_seconds == 30);
  CHECK(l.lease_transitions == 3);
  CHECK(l.acquire_time == "2024-05-02T09:00:00.000000Z");
  CHECK(l.renew_time == "2024-05-02T09:14:30.123456Z");

  const auto& g = ok(decode_as<gateway>(gateway_json));
  CHECK(g.gateway_class == "istio-east-west");
  REQUIRE(g.listeners.size() == 2);
  CHECK(g.listeners[0] == gateway::listener{"mesh", "HBONE", 15008, "Terminate"});
  CHECK(g.listeners[1].tls_mode.empty());
  // Every status address is kept with its type ("" when absent): the index filters by type.
  CHECK(g.addresses
        == std::vector<gateway::address>{{"IPAddress", "172.18.0.10"},
                                         {"Hostname", "ew.example.com"},
                                         {"", "172.18.0.11"},
                                         {"example.com/custom", "x"}});
}

TEST_CASE("a waypoint listener keeps its allowed route namespaces", "[kube][waypoint]") {
  const auto& g
      = ok(decode_as<gateway>(R"({"kind":"Gateway","metadata":{"name":"wp","namespace":"infra"},
    "spec":{"gatewayClassName":"istio-waypoint","listeners":[
      {"name":"mesh","port":15008,"protocol":"HBONE","allowedRoutes":{"namespaces":{"from":"Selector",
        "selector":{"matchLabels":{"team":"a"},
          "matchExpressions":[{"key":"env","operator":"In","values":["prod","dev"]}]}}}},
      {"name":"all","port":15009,"protocol":"HBONE","allowedRoutes":{"namespaces":{"from":"All"}}},
      {"name":"empty","port":15010,"protocol":"HBONE","allowedRoutes":{"namespaces":{}}},
      {"name":"kinds","port":15011,"protocol":"HBONE","allowedRoutes":{"kinds":[]}}]}})"));
  REQUIRE(g.listeners.size() == 4);
  const auto& sel = g.listeners[0];
  CHECK(sel.has_route_namespaces);
  CHECK(sel.routes_from == "Selector");
  REQUIRE(sel.routes_selector);
  CHECK(sel.routes_selector->match_labels == string_map{{"team", "a"}});
  CHECK(sel.routes_selector->match_expressions
        == std::vector<raw_label_selector::requirement>{{"env", "In", {"prod", "dev"}}});
  CHECK(g.listeners[1].routes_from == "All");
  CHECK(!g.listeners[1].routes_selector);
  // namespaces: {} is there (from defaults to Same later); no namespaces at all is not.
  CHECK(g.listeners[2].has_route_namespaces);
  CHECK(g.listeners[2].routes_from.empty());
  CHECK(!g.listeners[3].has_route_namespaces);

  const auto& gc
      = ok(decode_as<gateway_class>(R"({"kind":"GatewayClass","metadata":{"name":"istio-waypoint",
    "labels":{"istio.io/waypoint-for":"all"},
    "annotations":{"ambient.istio.io/waypoint-inbound-binding":"PROXY/15088"}},
    "spec":{"controllerName":"istio.io/mesh-controller"}})"));
  CHECK(gc.meta.name == "istio-waypoint");
  CHECK(gc.meta.namespace_.empty());
  CHECK(gc.controller_name == "istio.io/mesh-controller");
  CHECK(lookup(gc.meta.labels, "istio.io/waypoint-for") == "all");
}

TEST_CASE("a malformed allowed routes selector names the field", "[kube][waypoint]") {
  auto listener = [](std::string_view routes) {
    return R"({"metadata":{"name":"wp","namespace":"infra"},"spec":{"listeners":[{"name":"mesh",
      "port":15008,"protocol":"HBONE","allowedRoutes":)"
           + std::string{routes} + "}]}}";
  };
  const auto& e = err(decode_as<gateway>(listener(R"({"namespaces":{"from":7}})")));
  CHECK(e.code == decode_errc::bad_field);
  CHECK(e.message
        == "Gateway infra/wp: spec.listeners[0].allowedRoutes.namespaces.from: expected string");
  CHECK(err(decode_as<gateway>(listener(R"({"namespaces":[]})"))).code == decode_errc::bad_field);
  CHECK(
      err(decode_as<gateway>(listener(R"({"namespaces":{"selector":{"matchLabels":{"a":1}}}})")))
          .message
      == R"(Gateway infra/wp: spec.listeners[0].allowedRoutes.namespaces.selector.matchLabels["a"]: expected string)");
  CHECK(err(decode_as<gateway>(listener(
                R"({"namespaces":{"selector":{"matchExpressions":[{"key":"a","values":"x"}]}}})")))
            .message
        == "Gateway infra/wp: "
           "spec.listeners[0].allowedRoutes.namespaces.selector.matchExpressions[0].values: "
           "expected array");
  CHECK(
      err(decode_as<gateway_class>(R"({"metadata":{"name":"c"},"spec":{"controllerName":["x"]}})"))
          .message
      == "GatewayClass c: spec.controllerName: expected string");
  CHECK(err(decode_as<gateway_class>(R"({"metadata":{},"spec":{}})")).code
        == decode_errc::missing_field);
}

TEST_CASE("escaped strings and duplicate keys decode like JSON says", "[kube]") {
  const auto& ns = ok(decode_as<namespace_>(
      R"({"metadata":{"name":"caf\u00e9","labels":{"b":"1","a\"q":"x\ny","b":"2"}}})"));
  CHECK(ns.meta.name == "caf\xc3\xa9");
  CHECK(ns.meta.labels == string_map{{"a\"q", "x\ny"}, {"b", "2"}});
}

TEST_CASE("malformed and truncated JSON are rejected", "[kube]") {
  for (std::string_view bad :
       {"", "not json", "[1,2]", R"({"metadata":{"name":"a"}} {})",
        R"({"metadata":{"name":"a"}} trailing)", R"({"metadata":{"name":"a})"}) {
    INFO(bad);
    CHECK(err(decode_as<namespace_>(bad)).code == decode_errc::malformed_json);
  }
  const std::string truncated = pod_json.substr(0, pod_json.size() / 2);
  const auto& e = err(decode_as<pod>(truncated));
  CHECK(e.code == decode_errc::malformed_json);
  CHECK(e.message.find("Pod") == 0);
  CHECK(err(decode_as<pod>(pod_json.substr(0, pod_json.size() - 1))).code
        == decode_errc::malformed_json);
}

TEST_CASE("another kind is rejected as the wrong kind", "[kube]") {
  const auto& e = err(decode_as<pod>(service_json));
  CHECK(e.code == decode_errc::wrong_kind);
  CHECK(e.message == "Pod bookinfo/reviews: kind: expected Pod, got Service");
  CHECK(err(decode_as<lease>(gateway_json)).code == decode_errc::wrong_kind);
}

TEST_CASE("a field of the wrong type names the object and the field", "[kube]") {
  std::string bad = pod_json;
  const std::string from = R"({"ip": "fd00:10:244:1::11"})";
  bad.replace(bad.find(from), from.size(), R"({"ip": 17})");
  const auto& e = err(decode_as<pod>(bad));
  CHECK(e.code == decode_errc::bad_field);
  CHECK(e.message == "Pod default/web-0: status.podIPs[1].ip: expected string");

  // Spec before metadata: the name is still found for the message.
  const auto& e2 = err(decode_as<service>(
      R"({"spec":{"ports":[{"port":"80"}]},"metadata":{"namespace":"a","name":"b"}})"));
  CHECK(e2.message == "Service a/b: spec.ports[0].port: expected integer");

  const auto& e3 = err(decode_as<namespace_>(R"({"metadata":{"name":"x","labels":{"k.io/a":1}}})"));
  CHECK(e3.message == R"(Namespace x: metadata.labels["k.io/a"]: expected string)");

  CHECK(
      err(decode_as<service>(R"({"metadata":{"name":"s"},"spec":{"ports":[{"port":70000}]}})")).code
      == decode_errc::bad_field);
  CHECK(err(decode_as<service>(R"({"metadata":{"name":"s"},"spec":{"ports":{}}})")).code
        == decode_errc::bad_field);
  CHECK(
      err(decode_as<lease>(R"({"metadata":{"name":"l"},"spec":{"leaseDurationSeconds":1.5}})")).code
      == decode_errc::bad_field);
  CHECK(
      err(decode_as<lease>(R"({"metadata":{"name":"l"},"spec":{"leaseTransitions":99999999999}})"))
          .code
      == decode_errc::bad_field);
}

TEST_CASE("an object without a name is missing a field", "[kube]") {
  const auto& e = err(decode_as<node>(R"({"kind":"Node","metadata":{"uid":"u"}})"));
  CHECK(e.code == decode_errc::missing_field);
  CHECK(e.message == "Node: metadata.name: missing");
}

TEST_CASE("oversized input is rejected before parsing", "[kube]") {
  const auto& e = err(decode_as<pod>(pod_json, decode_limits{1024}));
  CHECK(e.code == decode_errc::too_large);
  CHECK(e.message.find("exceed the limit of 1024") != std::string::npos);
  CHECK(err(decode_watch_event(pods, event("ADDED", pod_json), {512})).code
        == decode_errc::too_large);
  CHECK(err(decode_list(pods, "{\"items\":[]}", {}, 4)).code == decode_errc::too_large);
}

TEST_CASE("invalid base64 names the key but not the value", "[kube]") {
  const auto& e = err(decode_as<secret>(
      R"({"metadata":{"name":"s","namespace":"n"},"data":{"token":"c2VjcmV0!!"}})"));
  CHECK(e.code == decode_errc::bad_field);
  CHECK(e.message == R"(Secret n/s: data["token"]: invalid base64)");
  CHECK(e.message.find("c2VjcmV0") == std::string::npos);
  for (std::string_view bad : {"a", "ab=c", "abcde", "a===", "YWI=="}) {
    INFO(bad);
    CHECK(err(decode_as<secret>(R"({"metadata":{"name":"s"},"data":{"k":")" + std::string{bad}
                                + "\"}}"))
              .code
          == decode_errc::bad_field);
  }
}

TEST_CASE("watch events of every type decode, each with its object", "[kube]") {
  const auto& added = ok(decode_watch_event(pods, event("ADDED", pod_json)));
  CHECK(added.type == watch_event_type::added);
  CHECK(added.item.key == "default/web-0");
  CHECK(added.item.resource_version == "184467");
  REQUIRE(added.item.object);
  CHECK(std::get<pod>(*added.item.object) == ok(decode_as<pod>(pod_json)));
  CHECK_FALSE(added.item.error);

  const auto& modified
      = ok(decode_watch_event(resource_kind::services, event("MODIFIED", service_json)));
  CHECK(modified.type == watch_event_type::modified);
  CHECK(modified.item.key == "bookinfo/reviews");
  REQUIRE(modified.item.object);
  CHECK(std::get<service>(*modified.item.object).ports.size() == 3);

  // A delete needs only the key: its object is not decoded.
  const auto& deleted
      = ok(decode_watch_event(resource_kind::namespaces, event("DELETED", namespace_json)));
  CHECK(deleted.type == watch_event_type::deleted);
  CHECK(deleted.item.key == "istio-system");
  CHECK_FALSE(deleted.item.object);

  const auto& bookmark = ok(decode_watch_event(
      pods,
      R"({"type":"BOOKMARK","object":{"kind":"Pod","apiVersion":"v1","metadata":{"resourceVersion":"190021",)"
      R"("creationTimestamp":null,"annotations":{"k8s.io/initial-events-end":"true"}},)"
      R"("spec":{"containers":null},"status":{}}})"));
  CHECK(bookmark.type == watch_event_type::bookmark);
  CHECK(bookmark.item.resource_version == "190021");
  CHECK(bookmark.item.key.empty());
  CHECK_FALSE(bookmark.item.object);

  const auto& error = ok(decode_watch_event(
      pods,
      R"({"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",)"
      R"j("message":"too old resource version: 184467 (190021)","reason":"Expired","code":410}})j"));
  CHECK(error.type == watch_event_type::error);
  CHECK(error.status.code == 410);
  CHECK(error.status.reason == "Expired");
  CHECK(error.status.message == "too old resource version: 184467 (190021)");
}

TEST_CASE("an object before its event's type is decoded all the same", "[kube]") {
  const auto& ev = ok(decode_watch_event(pods, R"({"object":)" + pod_json + R"(,"type":"ADDED"})"));
  CHECK(ev.type == watch_event_type::added);
  CHECK(ev.item.key == "default/web-0");
  REQUIRE(ev.item.object);
  CHECK(std::get<pod>(*ev.item.object).ready);
}

TEST_CASE("a watch event whose object is sound JSON but not a valid object carries the error",
          "[kube]") {
  const auto& ev = ok(decode_watch_event(
      pods,
      R"({"type":"MODIFIED","object":{"metadata":{"name":"a","namespace":"n",)"
      R"("resourceVersion":"9"},"spec":{"hostNetwork":"yes"},"status":{"phase":"Running"}}})"));
  CHECK(ev.type == watch_event_type::modified);
  CHECK(ev.item.key == "n/a");
  CHECK(ev.item.resource_version == "9");
  CHECK_FALSE(ev.item.object);
  REQUIRE(ev.item.error);
  CHECK(ev.item.error->code == decode_errc::bad_field);
  CHECK(ev.item.error->message == "Pod n/a: object.spec.hostNetwork: expected boolean");
  // Of another kind, which says so before its name: the event itself is wrong.
  CHECK(err(decode_watch_event(pods, event("ADDED", service_json))).code
        == decode_errc::wrong_kind);
}

TEST_CASE("broken watch events are rejected", "[kube]") {
  CHECK(err(decode_watch_event(pods, R"({"object":{"metadata":{"name":"a"}}})")).code
        == decode_errc::missing_field);
  CHECK(err(decode_watch_event(pods, R"({"type":"ADDED"})")).code == decode_errc::missing_field);
  const auto& unknown = err(decode_watch_event(pods, event("RENAMED", namespace_json)));
  CHECK(unknown.code == decode_errc::bad_field);
  CHECK(unknown.message.find("RENAMED") != std::string::npos);
  const auto& nameless
      = err(decode_watch_event(pods, R"({"type":"ADDED","object":{"metadata":{}}})"));
  CHECK(nameless.code == decode_errc::missing_field);
  CHECK(nameless.message == "watch event ADDED: object.metadata.name: missing");
  CHECK(err(decode_watch_event(pods, R"({"type":"DELETED","object":{"metadata":{}}})")).code
        == decode_errc::missing_field);
  CHECK(err(decode_watch_event(pods, R"({"type":"BOOKMARK","object":{"metadata":{}}})")).code
        == decode_errc::missing_field);
  CHECK(err(decode_watch_event(pods, R"({"type":"ADDED","object":"x"})")).code
        == decode_errc::bad_field);
  CHECK(err(decode_watch_event(pods, R"({"type":"ADDED","object":{"metadata":{"name":"a"})")).code
        == decode_errc::malformed_json);
  // Broken JSON inside the object is the event's failure, not the object's.
  CHECK(err(decode_watch_event(pods, R"({"type":"ADDED","object":{"metadata":{"name":"a"},)"
                                     R"("spec":{"nodeName":"n",}}})"))
            .code
        == decode_errc::malformed_json);
}

TEST_CASE("a list page yields its decoded items and continue token", "[kube]") {
  const std::string body
      = R"({"kind":"PodList","apiVersion":"v1",)"
        R"("metadata":{"resourceVersion":"190021","continue":"eyJ2IjoibWV0YS5rOHMuaW8vdjEifQ",)"
        R"("remainingItemCount":3},"items":[ )"
        + pod_json + " ,\n" + R"({"metadata":{"name":"web-1","namespace":"default"}})" + "]}";
  const auto& l = ok(decode_list(pods, body));
  CHECK(l.resource_version == "190021");
  CHECK(l.continue_token == "eyJ2IjoibWV0YS5rOHMuaW8vdjEifQ");
  REQUIRE(l.items.size() == 2);
  CHECK(l.items[0].key == "default/web-0");
  CHECK(l.items[0].resource_version == "184467");
  REQUIRE(l.items[0].object);
  CHECK(std::get<pod>(*l.items[0].object) == ok(decode_as<pod>(pod_json)));
  REQUIRE(l.items[1].object);
  CHECK(meta_of(*l.items[1].object).name == "web-1");
  CHECK(l.unnamed == 0);
  auto meta = decode_object_meta(pod_json);
  REQUIRE(meta);
  CHECK(meta->name == "web-0");
  CHECK(meta->resource_version == "184467");

  const auto& last = ok(decode_list(pods, R"({"metadata":{"resourceVersion":"5"},"items":[]})"));
  CHECK(last.continue_token.empty());
  CHECK(last.items.empty());
  CHECK(err(decode_list(pods, R"({"metadata":{}})")).code == decode_errc::missing_field);
  CHECK(err(decode_list(pods, R"({"items":[1]})")).message == "list: items[0]: expected object");
  CHECK(err(decode_list(pods, R"({"items":[{"metadata":{"name":"a"},"spec":[}]})")).code
        == decode_errc::malformed_json);
  CHECK_FALSE(decode_object_meta(R"({"metadata":{"uid":"u"}})"));
  CHECK_FALSE(decode_object_meta("{"));
}

TEST_CASE("a list keeps the items that decode, and names those that do not", "[kube]") {
  const std::string body
      = R"({"metadata":{"resourceVersion":"7"},"items":[)" + pod_json
        + R"(,{"metadata":{"name":"bad-1","namespace":"default","resourceVersion":"3"},)"
          R"("spec":{"hostNetwork":"yes"}},{"metadata":{"uid":"nameless"}},)"
          R"({"spec":{"hostNetwork":1},"metadata":{"name":"bad-2"}},)"
          R"({"metadata":{"name":"web-1","namespace":"default"}}]})";
  const auto& l = ok(decode_list(pods, body));
  REQUIRE(l.items.size() == 3);
  CHECK(l.items[0].object);
  CHECK(l.items[1].key == "default/bad-1");
  CHECK(l.items[1].resource_version == "3");
  CHECK_FALSE(l.items[1].object);
  REQUIRE(l.items[1].error);
  CHECK(l.items[1].error->message == "Pod default/bad-1: spec.hostNetwork: expected boolean");
  CHECK(l.items[2].key == "default/web-1");
  CHECK(l.items[2].object);
  // No name: the one without any, and the one that failed before its metadata was read.
  CHECK(l.unnamed == 2);
  // An item over the per-object limit is kept out, with its key.
  const auto& big = ok(decode_list(pods, R"({"items":[)" + pod_json + "]}", {1024}));
  REQUIRE(big.items.size() == 1);
  CHECK(big.items[0].key == "default/web-0");
  CHECK_FALSE(big.items[0].object);
  REQUIRE(big.items[0].error);
  CHECK(big.items[0].error->code == decode_errc::too_large);
}

TEST_CASE("a status body yields code reason and message", "[kube]") {
  auto st
      = decode_status(R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",)"
                      R"("message":"pods is forbidden: User \"x\" cannot list resource \"pods\"",)"
                      R"("reason":"Forbidden","details":{"kind":"pods"},"code":403})");
  REQUIRE(st);
  CHECK(st->code == 403);
  CHECK(st->reason == "Forbidden");
  CHECK(st->message == R"(pods is forbidden: User "x" cannot list resource "pods")");
  CHECK_FALSE(decode_status("upstream connect error or disconnect/reset before headers"));
  CHECK_FALSE(decode_status(namespace_json));
  CHECK_FALSE(decode_status(R"({"kind":"Status","code":"410"})"));
}

TEST_CASE("a status saying the resource version is too large is recognized in every form",
          "[kube]") {
  // Since Kubernetes 1.18.6: a Timeout with the ResourceVersionTooLarge cause.
  auto cause = decode_status(
      R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",)"
      R"("message":"Too large resource version: 900, current: 40","reason":"Timeout",)"
      R"("details":{"causes":[{"reason":"ResourceVersionTooLarge","message":"Too large resource )"
      R"(version"}],"retryAfterSeconds":1},"code":504})");
  REQUIRE(cause);
  CHECK(cause->code == 504);
  CHECK(cause->resource_version_too_large);
  // 1.17.0 to 1.18.5: the cause's message only.
  auto old_cause = decode_status(
      R"({"kind":"Status","reason":"Timeout","message":"Too large resource version: 900",)"
      R"("details":{"causes":[{"message":"Too large resource version"}]},"code":504})");
  REQUIRE(old_cause);
  CHECK(old_cause->resource_version_too_large);
  // Before 1.17: the Timeout's message.
  auto message = decode_status(
      R"({"kind":"Status","reason":"Timeout","message":"Too large resource version: 900, )"
      R"(current: 40","code":504})");
  REQUIRE(message);
  CHECK(message->resource_version_too_large);
  // A plain gateway timeout, and other causes, are not.
  auto timeout = decode_status(
      R"({"kind":"Status","reason":"Timeout","message":"the server was unable to return a )"
      R"(response in the time allotted","details":{"causes":[{"reason":"FieldValueInvalid",)"
      R"("message":"x"}],"retryAfterSeconds":60},"code":504})");
  REQUIRE(timeout);
  CHECK_FALSE(timeout->resource_version_too_large);
  // Details of another shape are skipped: the Status still decodes, and is not too large.
  for (const char* details : {R"("x")", R"({"causes":"x"})", R"({"causes":[1,"y",null]})",
                              R"({"causes":[{"reason":7,"message":["Too large"]}]})"}) {
    auto odd = decode_status(std::string{R"({"kind":"Status","code":504,"message":"m","details":)"}
                             + details + "}");
    REQUIRE(odd);
    CHECK(odd->message == "m");
    CHECK_FALSE(odd->resource_version_too_large);
  }
  // A watched object with a top-level "details" of its own still decodes.
  CHECK(
      ok(decode_watch_event(
             pods, R"({"type":"ADDED","object":{"metadata":{"name":"a"},"details":"free text"}})"))
          .item.key
      == "a");
  // The same in a watch's ERROR event.
  const auto& ev = ok(decode_watch_event(
      pods, R"({"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","metadata":{},)"
            R"("status":"Failure","message":"Too large resource version: 900, current: 40",)"
            R"("reason":"Timeout","details":{"causes":[{"reason":"ResourceVersionTooLarge",)"
            R"("message":"Too large resource version"}],"retryAfterSeconds":1},"code":504}})"));
  CHECK(ev.type == watch_event_type::error);
  CHECK(ev.status.code == 504);
  CHECK(ev.status.resource_version_too_large);
  const auto& expired = ok(decode_watch_event(
      pods, R"({"type":"ERROR","object":{"kind":"Status","reason":"Expired","code":410,)"
            R"j("message":"too old resource version: 1 (40)"}})j"));
  CHECK_FALSE(expired.status.resource_version_too_large);
}
