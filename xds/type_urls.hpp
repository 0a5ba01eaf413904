#pragma once

#include <string_view>

namespace ambient::xds {

/// The type URLs ambientd serves (istio `pkg/model/xds.go`, envoy data-plane-api).
inline constexpr std::string_view address_type_url = "type.googleapis.com/istio.workload.Address";
inline constexpr std::string_view authorization_type_url
    = "type.googleapis.com/istio.security.Authorization";
inline constexpr std::string_view listener_type_url
    = "type.googleapis.com/envoy.config.listener.v3.Listener";
inline constexpr std::string_view route_type_url
    = "type.googleapis.com/envoy.config.route.v3.RouteConfiguration";
inline constexpr std::string_view cluster_type_url
    = "type.googleapis.com/envoy.config.cluster.v3.Cluster";
inline constexpr std::string_view endpoint_type_url
    = "type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment";

/// Whether a first request that names no resource means "everything" (the xDS protocol's legacy
/// wildcard): true for the types a client wants whole (Listener, Cluster, and ztunnel's Address and
/// Authorization), false for the ones always asked for by name (RouteConfiguration,
/// ClusterLoadAssignment), where an empty request means "nothing".
inline bool supports_wildcard(std::string_view type_url) {
  return type_url != route_type_url && type_url != endpoint_type_url;
}

} // namespace ambient::xds
