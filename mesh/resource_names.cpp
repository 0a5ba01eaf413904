#include "mesh/resource_names.hpp"

#include <algorithm>

namespace ambient::mesh {

namespace {

constexpr std::string_view pod_marker = "//Pod/";
constexpr std::string_view slice_marker = "/discovery.k8s.io/EndpointSlice/";
constexpr std::string_view gateway_prefix = "NetworkGateway/";
constexpr std::string_view split_horizon_marker = "/SplitHorizonWorkload/";

} // namespace

name_kind classify_name(std::string_view name, std::string_view* cluster) {
  if (std::count(name.begin(), name.end(), '/') == 1)
    return name_kind::service;
  for (auto marker : {pod_marker, slice_marker}) {
    // The first marker: a namespace or a name never holds one, a cluster ID should not.
    if (auto at = name.find(marker); at != std::string_view::npos && at > 0) {
      if (cluster != nullptr)
        *cluster = name.substr(0, at);
      return name_kind::cluster_workload;
    }
  }
  if (name.starts_with(gateway_prefix))
    return name_kind::network_gateway;
  if (name.find(split_horizon_marker) != std::string_view::npos)
    return name_kind::split_horizon;
  return name_kind::other;
}

} // namespace ambient::mesh
