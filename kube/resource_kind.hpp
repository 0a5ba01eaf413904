#pragma once

#include <cstdint>
#include <string_view>
#include <variant>

#include "kube/decode.hpp"

namespace ambient::kube {

/// The resources ambientd's informers watch.
enum class resource_kind : uint8_t {
  namespaces,
  pods,
  services,
  nodes,
  endpoint_slices,
  secrets,
  config_maps,
  leases,
  gateways,
};

/// Lower-case plural name, for logs and metric labels ("endpointslices").
std::string_view to_string(resource_kind k);

/// The collection path of a resource, e.g. "/api/v1/pods", or "/api/v1/namespaces/<ns>/pods"
/// when `namespace_` is not empty (cluster-scoped resources ignore it).
std::string collection_path(resource_kind k, std::string_view namespace_ = {});

/// Any decoded object an informer can hold.
using any_object = std::variant<pod, service, namespace_, node, endpoint_slice, secret, config_map,
                                lease, gateway>;

/// Decodes one object of the given kind.
std::variant<any_object, decode_error> decode_object(resource_kind k, std::string_view json,
                                                     const decode_limits& limits = {});

/// The "namespace/name" (or "name") key of a decoded object.
std::string object_key(const object_meta& meta);

/// The metadata of any decoded object.
const object_meta& meta_of(const any_object& o);

} // namespace ambient::kube
