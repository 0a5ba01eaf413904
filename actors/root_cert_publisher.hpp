#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <caf/event_based_actor.hpp>
#include <caf/stateful_actor.hpp>

#include "actors/informer.hpp"
#include "actors/instrumented.hpp"
#include "actors/request_slot.hpp"
#include "fleet/root_cert_publisher_core.hpp"
#include "kube/reflector.hpp"
#include "kube/transport.hpp"
#include "mesh/discovery_filter.hpp"
#include "mesh/label_selector.hpp"
#include "telemetry/log.hpp"

namespace ambient::actors {

/// What the root cert publisher needs.
struct root_cert_publisher_config {
  std::shared_ptr<kube::transport> transport;
  kube::transport::client_id client = 0; ///< the config cluster
  std::string cluster_id;                ///< the config cluster's ID, for logs and informers
  std::string roots_pem;                 ///< the CA's roots until a messages::ca_roots
  /// The config cluster's discovery selectors (mesh::selectors_for): none admits every namespace.
  std::vector<mesh::label_selector> discovery_selectors;
  kube::reflector_config reflector;
  fleet::root_cert_retry retry;
  informer_spawn_observer informer_spawned; ///< optional
};

/// State of the root cert publisher: its pure core, the namespace filter, the two informers of
/// the current term and the request in flight.
struct root_cert_publisher_state {
  static inline const char* name = "root_cert_publisher";

  root_cert_publisher_config cfg;
  std::optional<fleet::root_cert_publisher_core> core;
  std::optional<mesh::discovery_filter> filter;
  std::optional<request_slot> api;
  caf::actor namespaces, config_maps; ///< the informers, while leading
  informer_keys namespace_keys, config_map_keys;
  bool namespaces_synced = false, config_maps_synced = false;
  uint64_t term = 0;             ///< bumped on every leadership change
  uint64_t timer_generation = 0; ///< the retry timer that counts; older ones are stale
  std::optional<std::chrono::steady_clock::time_point> timer_due;
  std::shared_ptr<spdlog::logger> log;
};

using root_cert_publisher_ptr = instrumented_actor<root_cert_publisher_state>*;

/// Leader only: publishes the CA's roots as istiod does, in ConfigMap `istio-ca-root-cert`
/// (`root-cert.pem`) of every admitted, active namespace of the config cluster, where ztunnel and
/// sidecars mount it. The shell of fleet::root_cert_publisher_core: while leading it runs an
/// informer on Namespaces and one on those ConfigMaps (field selector on the name), feeds their
/// changes, through a mesh::discovery_filter for admission, to the core and sends the call the
/// core returns; a messages::ca_roots replaces the roots. On losing leadership it stops both
/// informers and abandons its call.
caf::behavior root_cert_publisher_impl(root_cert_publisher_ptr self,
                                       root_cert_publisher_config cfg);

} // namespace ambient::actors
