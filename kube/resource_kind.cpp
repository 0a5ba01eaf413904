#include "kube/resource_kind.hpp"

#include <string>

namespace ambient::kube {

namespace {

struct kind_info {
  std::string_view name;
  std::string_view group_version_prefix; ///< "/api/v1" or "/apis/<group>/<version>"
  bool namespaced;
};

kind_info info(resource_kind k) {
  switch (k) {
    case resource_kind::namespaces:
      return {"namespaces", "/api/v1", false};
    case resource_kind::pods:
      return {"pods", "/api/v1", true};
    case resource_kind::services:
      return {"services", "/api/v1", true};
    case resource_kind::nodes:
      return {"nodes", "/api/v1", false};
    case resource_kind::endpoint_slices:
      return {"endpointslices", "/apis/discovery.k8s.io/v1", true};
    case resource_kind::secrets:
      return {"secrets", "/api/v1", true};
    case resource_kind::config_maps:
      return {"configmaps", "/api/v1", true};
    case resource_kind::leases:
      return {"leases", "/apis/coordination.k8s.io/v1", true};
    case resource_kind::gateways:
      return {"gateways", "/apis/gateway.networking.k8s.io/v1", true};
  }
  return {"unknown", "/api/v1", true};
}

template <class T>
std::variant<any_object, decode_error> widen(decoded<T> d) {
  if (auto* e = std::get_if<decode_error>(&d))
    return std::move(*e);
  return any_object{std::get<T>(std::move(d))};
}

} // namespace

std::string_view to_string(resource_kind k) {
  return info(k).name;
}

std::string collection_path(resource_kind k, std::string_view namespace_) {
  auto i = info(k);
  std::string out{i.group_version_prefix};
  if (i.namespaced && !namespace_.empty()) {
    out += "/namespaces/";
    out += namespace_;
  }
  out += '/';
  out += i.name;
  return out;
}

std::variant<any_object, decode_error> decode_object(resource_kind k, std::string_view json,
                                                     const decode_limits& limits) {
  switch (k) {
    case resource_kind::namespaces:
      return widen(decode_namespace(json, limits));
    case resource_kind::pods:
      return widen(decode_pod(json, limits));
    case resource_kind::services:
      return widen(decode_service(json, limits));
    case resource_kind::nodes:
      return widen(decode_node(json, limits));
    case resource_kind::endpoint_slices:
      return widen(decode_endpoint_slice(json, limits));
    case resource_kind::secrets:
      return widen(decode_secret(json, limits));
    case resource_kind::config_maps:
      return widen(decode_config_map(json, limits));
    case resource_kind::leases:
      return widen(decode_lease(json, limits));
    case resource_kind::gateways:
      return widen(decode_gateway(json, limits));
  }
  return decode_error{decode_errc::wrong_kind, "unknown resource kind"};
}

std::string object_key(const object_meta& meta) {
  if (meta.namespace_.empty())
    return meta.name;
  return meta.namespace_ + "/" + meta.name;
}

const object_meta& meta_of(const any_object& o) {
  return std::visit([](const auto& x) -> const object_meta& { return x.meta; }, o);
}

} // namespace ambient::kube
