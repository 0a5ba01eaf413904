#include "sim/apiserver_service.hpp"

#include <stdexcept>
#include <string>

#include "sim/objects.hpp"

namespace ambient::sim {

namespace {

/// Creates the object, or replaces the one of that name (the store ignores a replace that changes
/// nothing).
void create_or_replace(store& s, const resource_type& rt, const std::string& name,
                       const std::string& json_text) {
  object_result r;
  if (s.get(rt, "default", name).error) {
    r = create_generated(s, rt, "default", json_text);
  } else { // the store keeps the uid and creationTimestamp of the object it replaces
    auto obj = parse_json(json_text, nullptr);
    if (!obj)
      throw std::logic_error("kube-sim: a generated " + rt.kind + " does not parse");
    r = s.update(rt, "default", name, std::move(*obj));
  }
  if (r.error)
    throw std::logic_error("kube-sim: writing " + rt.kind + " default/" + name
                           + " failed: " + r.error->message);
}

} // namespace

void reconcile_apiserver_service(store& s, uint32_t cluster_index, uint16_t port) {
  const auto now = std::chrono::system_clock::now();
  const std::string name = "kubernetes";
  create_or_replace(s, *find_resource("", "v1", "services"), name,
                    make_service_json("default", name, {}, apiserver_service_ip(cluster_index),
                                      {{"https", 443, std::to_string(port)}}, now,
                                      {{"component", "apiserver"}, {"provider", "kubernetes"}}));
  create_or_replace(
      s, *find_resource("discovery.k8s.io", "v1", "endpointslices"), name,
      make_endpoint_slice_json(
          "default", name, name, {{"127.0.0.1", true}}, {{"https", port, "TCP"}}, now,
          {{"endpointslice.kubernetes.io/managed-by", "endpointslice-controller.k8s.io"}}));
}

} // namespace ambient::sim
