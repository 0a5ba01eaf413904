#pragma once

#include "sim/json.hpp"
#include "sim/resources.hpp"

namespace ambient::sim {

/// Fills in the fields a real API server defaults when an object is created or replaced (and so
/// after a patch), leaving every value the client gave as it is:
/// - Service (v1): spec.type "ClusterIP"; spec.ports[].protocol "TCP"; spec.ports[].targetPort
///   the port's `port`;
/// - EndpointSlice (discovery.k8s.io): ports[].name ""; ports[].protocol "TCP";
/// - Gateway (gateway.networking.k8s.io): status.addresses[].type "IPAddress" (the CRD's default).
/// Members of the wrong JSON type are left alone, for validation to judge. Allocating a Service's
/// ClusterIP needs the store: see allocate_cluster_ip.
void apply_api_defaults(const resource_type& rt, json& obj);

} // namespace ambient::sim
