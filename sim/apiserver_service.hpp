#pragma once

#include <cstdint>

#include "sim/store.hpp"

namespace ambient::sim {

/// Writes what every API server keeps about itself in its store, as kube-apiserver's endpoint
/// reconciler does: Service default/kubernetes (labels component=apiserver and
/// provider=kubernetes, no selector, ClusterIP apiserver_service_ip(cluster_index), port https 443
/// → `port`) and its EndpointSlice (127.0.0.1:`port`, ready, no targetRef). Creates them, or
/// replaces them when they differ; call once the server has bound `port`.
void reconcile_apiserver_service(store& s, uint32_t cluster_index, uint16_t port);

} // namespace ambient::sim
