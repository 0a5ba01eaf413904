#include "sim/demo_objects.hpp"

#include <chrono>
#include <stdexcept>

#include "sim/objects.hpp"
#include "sim/pod_json.hpp"

namespace ambient::sim {

void must_create(sim_cluster& c, const resource_type& rt, const std::string& ns,
                 const std::string& json_text) {
  auto r = create_generated(c.data(), rt, ns, json_text);
  if (r.error)
    throw std::logic_error("demo fleet: creating a " + rt.kind + " in " + c.name()
                           + " failed: " + r.error->message);
}

std::string east_west_gateway_json(const std::string& network, const std::string& address) {
  return R"({"apiVersion":"gateway.networking.k8s.io/v1","kind":"Gateway","metadata":{)"
         R"("name":"istio-eastwestgateway","namespace":"istio-system","labels":{)"
         R"("topology.istio.io/network":")"
         + network
         + R"("}},"spec":{"gatewayClassName":"istio-east-west","listeners":[{"name":"mesh",)"
           R"("port":15008,"protocol":"HBONE","tls":{"mode":"Terminate"}}]},)"
           R"("status":{"addresses":[{"type":"IPAddress","value":")"
         + address + R"("}]}})";
}

std::string remote_gateway_json(const std::string& remote_network, const std::string& address) {
  return R"({"apiVersion":"gateway.networking.k8s.io/v1","kind":"Gateway","metadata":{)"
         R"("name":")"
         + remote_network
         + R"(","namespace":"istio-system","labels":{"topology.istio.io/network":")"
         + remote_network
         + R"("}},"spec":{"gatewayClassName":"istio-remote","addresses":[{"type":"IPAddress",)"
           R"("value":")"
         + address
         + R"("}],"listeners":[{"name":"mesh","port":15008,"protocol":"HBONE"}]},)"
           R"("status":{"addresses":[{"type":"IPAddress","value":")"
         + address + R"("}]}})";
}

void create_legacy_db(sim_cluster& c, const std::string& cluster_ip) {
  const auto now = std::chrono::system_clock::now();
  const std::string ns = legacy_db_namespace;
  const std::string name = "legacy-db";
  must_create(c, *find_resource("", "v1", "namespaces"), "", make_namespace_json(ns, {}, now));
  must_create(c, *find_resource("", "v1", "services"), ns,
              make_service_json(ns, name, {}, cluster_ip, {{"tcp-db", 5432, "5432"}}, now,
                                {{"app", name}}));
  must_create(c, *find_resource("discovery.k8s.io", "v1", "endpointslices"), ns,
              make_endpoint_slice_json(ns, name + "-manual", name,
                                       {{"192.168.50.10", true}, {"192.168.50.11", false}},
                                       {{"tcp-db", 5432, "TCP"}}, now));
}

void create_waypoint(sim_cluster& c, const std::string& ns, const std::string& cluster_ip,
                     const std::string& pod_ip, const std::string& host_ip) {
  const auto now = std::chrono::system_clock::now();
  const auto* classes = find_resource("gateway.networking.k8s.io", "v1", "gatewayclasses");
  if (!c.data().get(*classes, "", "istio-waypoint").object)
    must_create(c, *classes, "",
                R"({"apiVersion":"gateway.networking.k8s.io/v1","kind":"GatewayClass",)"
                R"("metadata":{"name":"istio-waypoint"},)"
                R"("spec":{"controllerName":"istio.io/mesh-controller"}})");
  must_create(c, *find_resource("gateway.networking.k8s.io", "v1", "gateways"), ns,
              R"({"apiVersion":"gateway.networking.k8s.io/v1","kind":"Gateway","metadata":{)"
              R"("name":"waypoint","namespace":")"
                  + ns
                  + R"(","labels":{"istio.io/waypoint-for":"all"}},)"
                    R"("spec":{"gatewayClassName":"istio-waypoint","listeners":[{"name":"mesh",)"
                    R"("port":15008,"protocol":"HBONE"}]},)"
                    R"("status":{"addresses":[{"type":"Hostname","value":"waypoint.)"
                  + ns + R"(.svc.cluster.local"}]}})");
  const std::map<std::string, std::string> instance{
      {"gateway.networking.k8s.io/gateway-name", "waypoint"}};
  must_create(c, *find_resource("", "v1", "services"), ns,
              make_service_json(ns, "waypoint", instance, cluster_ip, {{"mesh", 15008, "15008"}},
                                now,
                                {{"gateway.istio.io/managed", "istio.io-mesh-controller"},
                                 {"gateway.networking.k8s.io/gateway-name", "waypoint"}}));
  must_create(c, *find_resource("", "v1", "serviceaccounts"), ns,
              make_service_account_json(ns, "waypoint", now));
  pod_params p;
  p.namespace_ = ns;
  p.owner_name = "waypoint-6d8f9c7b5";
  p.name = p.owner_name + "-wp0";
  p.node_name = "node-1";
  p.host_ip = host_ip;
  p.pod_ip = pod_ip;
  p.service_account = "waypoint";
  p.labels = {{"gateway.networking.k8s.io/gateway-name", "waypoint"},
              {"istio.io/dataplane-mode", "none"}};
  p.container_ports = {{"mesh", 15008}};
  must_create(c, *find_resource("", "v1", "pods"), ns, make_pod_json(p, now));
}

} // namespace ambient::sim
