#pragma once

#include <memory>
#include <string>

#include <caf/event_based_actor.hpp>

#include "actors/informer.hpp"
#include "actors/instrumented.hpp"
#include "kube/reflector.hpp"
#include "kube/transport.hpp"

namespace ambient::actors {

/// Where remote secrets live and whom to tell.
struct secret_watcher_config {
  std::shared_ptr<kube::transport> transport;
  kube::transport::client_id config_cluster_client = 0;
  std::string config_cluster_id;
  std::string system_namespace = "istio-system";
  std::string label_selector = "istio/multiCluster=true";
  caf::actor cluster_store;
  kube::reflector_config reflector;
  informer_spawn_observer informer_spawned; ///< optional
};

/// The secret informer and the keys of the secrets it reported.
struct secret_watcher_state {
  static inline const char* name = "secret_watcher";
  secret_watcher_config cfg;
  caf::actor informer;
  /// What a restarted informer starts from: a secret deleted while none watched is reported.
  informer_keys keys;
};

using secret_watcher_ptr = instrumented_actor<secret_watcher_state>*;

/// Watches the remote secrets of the config cluster (an informer on Secrets labelled
/// istio/multiCluster=true in the system namespace) and tells cluster_store each secret's
/// clusters, hashed, on every add and change, and each deletion. The secret parsing is pure
/// (fleet::read_remote_secret); the informer is linked and restarted if it ever dies, seeded with
/// the secrets it had reported.
caf::behavior secret_watcher_impl(secret_watcher_ptr self, secret_watcher_config cfg);

} // namespace ambient::actors
