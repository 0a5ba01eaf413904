#include "sim/demo_objects.hpp"

#include <chrono>
#include <stdexcept>

#include "sim/objects.hpp"

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

} // namespace ambient::sim
