#include "bench/harness/chaos_objects.hpp"

#include <stdexcept>

namespace ambient::bench {

namespace {

std::string ip(int index, int host) {
  return "10.201." + std::to_string(index) + "." + std::to_string(host);
}

std::string slice_json(int index, int endpoints, std::mt19937& rng) {
  std::string eps;
  for (int e = 0; e < endpoints; ++e)
    eps += std::string{e ? "," : ""} + R"({"addresses":[")" + ip(index, e + 1)
           + R"("],"conditions":{"ready":)" + (rng() % 4 == 0 ? "false" : "true") + "}}";
  return R"({"apiVersion":"discovery.k8s.io/v1","kind":"EndpointSlice",
    "metadata":{"name":"db-1","namespace":"legacy","labels":{"kubernetes.io/service-name":"db"}},
    "addressType":"IPv4","endpoints":[)"
         + eps + R"(],"ports":[{"name":"tcp-db","port":15432,"protocol":"TCP"}]})";
}

std::string gateway_json(int index, int host) {
  return R"({"apiVersion":"gateway.networking.k8s.io/v1","kind":"Gateway",
    "metadata":{"name":"istio-eastwestgateway","namespace":"istio-system",
      "labels":{"topology.istio.io/network":"network-ew-)"
         + std::to_string(index) + R"("}},
    "spec":{"gatewayClassName":"istio-east-west",
      "listeners":[{"name":"mesh","port":15008,"protocol":"HBONE","tls":{"mode":"Terminate"}}]},
    "status":{"addresses":[{"type":"IPAddress","value":"172.30.)"
         + std::to_string(index) + "." + std::to_string(host) + R"("}]}})";
}

} // namespace

int api_write(sim_process& sim, const std::string& cluster, const std::string& method,
              const std::string& path, const std::string& body, int tolerated) {
  std::string server;
  auto api = sim.api(cluster, &server);
  auto r = api.request(method, server + path, body);
  if ((r.status < 200 || r.status >= 300) && (tolerated == 0 || r.status != tolerated))
    throw std::runtime_error("chaos objects: " + method + " " + path + " of " + cluster + ": HTTP "
                             + std::to_string(r.status) + " " + r.error + " "
                             + r.body.substr(0, 200));
  return r.status;
}

void api_merge(sim_process& sim, const std::string& cluster, const std::string& path,
               const std::string& patch) {
  std::string server;
  auto api = sim.api(cluster, &server);
  auto r = api.request("PATCH", server + path, patch, "application/merge-patch+json");
  if ((r.status < 200 || r.status >= 300) && r.status != 404)
    throw std::runtime_error("chaos objects: PATCH " + path + " of " + cluster + ": HTTP "
                             + std::to_string(r.status) + " " + r.error + " "
                             + r.body.substr(0, 200));
}

void add_index_objects(sim_process& sim, const std::string& cluster, int index) {
  std::mt19937 rng{static_cast<uint32_t>(index)};
  api_write(sim, cluster, "POST", "/api/v1/namespaces",
            R"({"apiVersion":"v1","kind":"Namespace","metadata":{"name":"legacy"}})");
  api_write(sim, cluster, "POST", "/api/v1/namespaces/legacy/services",
            R"({"apiVersion":"v1","kind":"Service","metadata":{"name":"db","namespace":"legacy",
         "labels":{"istio.io/global":"true"}},
         "spec":{"type":"ClusterIP","clusterIP":"10.200.)"
                + std::to_string(index) + R"(.1","ports":[{"name":"tcp-db","port":5432,
         "protocol":"TCP","targetPort":5432}]}})");
  api_write(sim, cluster, "POST", "/apis/discovery.k8s.io/v1/namespaces/legacy/endpointslices",
            slice_json(index, 3, rng));
  if (index > 0)
    api_write(sim, cluster, "POST",
              "/apis/gateway.networking.k8s.io/v1/namespaces/istio-system/gateways",
              gateway_json(index, 10));
}

std::string churn_index_objects(sim_process& sim, const std::string& cluster, int index,
                                uint64_t turn, std::mt19937& rng) {
  if (index > 0 && turn % 3 == 2) {
    api_write(sim, cluster, "PUT",
              "/apis/gateway.networking.k8s.io/v1/namespaces/istio-system/gateways/"
              "istio-eastwestgateway",
              gateway_json(index, static_cast<int>(10 + rng() % 5)));
    return "gateway address moved";
  }
  api_write(sim, cluster, "PUT", "/apis/discovery.k8s.io/v1/namespaces/legacy/endpointslices/db-1",
            slice_json(index, static_cast<int>(rng() % 5), rng));
  return "endpoint slice replaced";
}

} // namespace ambient::bench
