#include "bench/harness/chaos_waypoints.hpp"

#include <stdexcept>
#include <vector>

#include "bench/harness/chaos_objects.hpp"
#include "bench/harness/oracle_json.hpp"

namespace ambient::bench {

namespace {

constexpr const char* gateways = "/apis/gateway.networking.k8s.io/v1/namespaces/app-1/gateways";
constexpr const char* waypoint
    = "/apis/gateway.networking.k8s.io/v1/namespaces/app-1/gateways/waypoint";
constexpr const char* waypoint_class
    = "/apis/gateway.networking.k8s.io/v1/gatewayclasses/istio-waypoint";

/// `value` as a JSON string, or null (a merge patch then removes the key).
std::string json_or_null(const std::string& value) {
  return value.empty() ? "null" : "\"" + value + "\"";
}

std::string pick(std::mt19937& rng, const std::vector<std::string>& values) {
  return values[rng() % values.size()];
}

} // namespace

void label_waypoint_namespace(sim_process& sim, const std::string& cluster, bool on) {
  api_merge(sim, cluster, "/api/v1/namespaces/app-1",
            std::string{R"({"metadata":{"labels":{"istio.io/use-waypoint":)"}
                + (on ? "\"waypoint\"" : "null") + "}}}");
}

void add_waypoint_objects(sim_process& sim, const std::string& cluster, int index,
                          bool label_namespace) {
  if (index == 0)
    api_write(sim, cluster, "POST", "/apis/gateway.networking.k8s.io/v1/gatewayclasses",
              R"({"apiVersion":"gateway.networking.k8s.io/v1","kind":"GatewayClass",
        "metadata":{"name":"istio-waypoint"},"spec":{"controllerName":"istio.io/mesh-controller"}})");
  api_write(sim, cluster, "POST", gateways,
            R"({"apiVersion":"gateway.networking.k8s.io/v1","kind":"Gateway",
      "metadata":{"name":"waypoint","namespace":"app-1","labels":{"istio.io/waypoint-for":"all"}},
      "spec":{"gatewayClassName":"istio-waypoint",
        "listeners":[{"name":"mesh","port":15008,"protocol":"HBONE"}]},
      "status":{"addresses":[{"type":"Hostname","value":"waypoint.app-1.svc.cluster.local"}]}})");
  if (label_namespace)
    label_waypoint_namespace(sim, cluster, true);
}

std::string churn_waypoints(sim_process& sim, const std::string& cluster, int index,
                            std::mt19937& rng) {
  switch (rng() % (index == 0 ? 6 : 5)) {
    case 0:
      api_merge(sim, cluster, "/api/v1/namespaces/app-1",
                R"({"metadata":{"labels":{"istio.io/use-waypoint":)"
                    + json_or_null(pick(rng, {"waypoint", "waypoint", "none", "missing", ""}))
                    + "}}}");
      return "waypoint: namespace relabelled";
    case 1: {
      auto address = pick(rng, {"hostname", "ip", "bad-ip", "none"});
      std::string list = address == "hostname"
                             ? R"([{"type":"Hostname","value":"waypoint.app-1.svc.cluster.local"}])"
                         : address == "ip"
                             ? R"([{"type":"IPAddress","value":"10.202.)" + std::to_string(index)
                                   + "." + std::to_string(1 + rng() % 3) + R"("}])"
                         : address == "bad-ip" ? R"([{"type":"IPAddress","value":"10.202.x"}])"
                                               : "null";
      api_merge(sim, cluster, waypoint, R"({"status":{"addresses":)" + list + "}}");
      return "waypoint: gateway address " + address;
    }
    case 2:
      api_merge(sim, cluster, waypoint,
                R"({"metadata":{"labels":{"istio.io/waypoint-for":)"
                    + json_or_null(pick(rng, {"all", "workload", "service", "none", ""})) + "}}}");
      return "waypoint: waypoint-for relabelled";
    case 3: {
      auto from = pick(rng, {"All", "Same"});
      api_merge(sim, cluster, waypoint,
                R"({"metadata":{"annotations":{"ambient.istio.io/waypoint-inbound-binding":)"
                    + json_or_null(pick(rng, {"", "", "PROXY/15088", "NONE"}))
                    + R"(}},"spec":{"listeners":[{"name":"mesh","port":15008,"protocol":"HBONE",)"
                      R"("allowedRoutes":{"namespaces":{"from":")"
                    + from + R"("}}}]}})");
      return "waypoint: routes and binding changed";
    }
    case 4: {
      auto pods = list_items(sim, cluster, "/api/v1/namespaces/app-1/pods");
      if (pods.empty())
        return "waypoint: no pod to label";
      auto name = text_at(pods[rng() % pods.size()], {"metadata", "name"});
      auto label
          = rng() % 3 == 0 ? "gateway.networking.k8s.io/gateway-name" : "istio.io/use-waypoint";
      api_merge(sim, cluster, "/api/v1/namespaces/app-1/pods/" + name,
                R"({"metadata":{"labels":{")" + std::string{label} + R"(":)"
                    + json_or_null(pick(rng, {"waypoint", "none", ""})) + "}}}");
      return "waypoint: pod relabelled";
    }
    default:
      api_merge(sim, cluster, waypoint_class,
                R"({"metadata":{"labels":{"istio.io/waypoint-for":)"
                    + json_or_null(pick(rng, {"workload", "all", "service", ""}))
                    + R"(},"annotations":{"ambient.istio.io/waypoint-inbound-binding":)"
                    + json_or_null(pick(rng, {"", "PROXY"})) + "}}}");
      return "waypoint: class relabelled";
  }
}

} // namespace ambient::bench
