#include "sim/api_defaults.hpp"

namespace ambient::sim {

namespace {

/// Sets obj[key] to `value` when obj is an object without that member.
void default_member(json& obj, const char* key, const json& value) {
  if (obj.is_object() && !obj.contains(key))
    obj[key] = value;
}

/// Calls `fill` on every object element of the array at obj[key], if there is one.
template <class Fill>
void each_object(json& obj, const char* key, Fill fill) {
  if (!obj.is_object())
    return;
  auto it = obj.find(key);
  if (it == obj.end() || !it->is_array())
    return;
  for (auto& item : *it)
    if (item.is_object())
      fill(item);
}

void default_service(json& svc) {
  auto* spec = find_path(svc, {"spec"});
  if (spec == nullptr)
    return;
  default_member(*spec, "type", "ClusterIP");
  each_object(*spec, "ports", [](json& port) {
    default_member(port, "protocol", "TCP");
    if (auto p = port.find("port"); p != port.end())
      default_member(port, "targetPort", *p);
  });
}

void default_endpoint_slice(json& slice) {
  each_object(slice, "ports", [](json& port) {
    default_member(port, "name", "");
    default_member(port, "protocol", "TCP");
  });
}

void default_gateway(json& gateway) {
  if (auto* status = find_path(gateway, {"status"}))
    each_object(*status, "addresses",
                [](json& address) { default_member(address, "type", "IPAddress"); });
}

} // namespace

void apply_api_defaults(const resource_type& rt, json& obj) {
  if (rt.group.empty() && rt.kind == "Service")
    default_service(obj);
  else if (rt.group == "discovery.k8s.io" && rt.kind == "EndpointSlice")
    default_endpoint_slice(obj);
  else if (rt.group == "gateway.networking.k8s.io" && rt.kind == "Gateway")
    default_gateway(obj);
}

} // namespace ambient::sim
