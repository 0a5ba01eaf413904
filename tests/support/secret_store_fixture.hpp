#pragma once

#include <chrono>
#include <cstddef>
#include <memory>

#include <caf/actor.hpp>
#include <caf/exit_reason.hpp>
#include <caf/send.hpp>

#include "actors/cluster_store.hpp"
#include "actors/secret_watcher.hpp"
#include "kube/transport.hpp"
#include "support/actor_fixture.hpp"
#include "support/sim_fixture.hpp"

namespace ambient::test {

/// A kube-sim fleet whose cluster-1 holds the remote secrets, and the two actors that turn them
/// into clusters: a cluster_store and a secret_watcher on cluster-1 feeding it. Both are stopped
/// when the fixture goes (if not before), the watcher first.
struct secret_store_fixture : live_actor_fixture {
  explicit secret_store_fixture(size_t clusters) : sim{clusters} {}

  ~secret_store_fixture() {
    stop_watcher_and_store();
  }

  /// Ends the watcher, then the store (a fixture that spawned more calls this before it ends its
  /// own actors, so the producers go first; a second call changes nothing).
  void stop_watcher_and_store() {
    caf::anon_send_exit(watcher, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(store, caf::exit_reason::user_shutdown);
  }

  /// cluster_store settings for config cluster cluster-1 on the fixture's transport, its clusters
  /// reporting to `sink`, with reflector retries of 50 to 300 ms.
  actors::cluster_store_config store_config(caf::actor sink) {
    actors::cluster_store_config sc;
    sc.config_cluster_id = "cluster-1";
    sc.transport = transport;
    sc.sink = std::move(sink);
    sc.reflector.retry.initial = std::chrono::milliseconds{50};
    sc.reflector.retry.cap = std::chrono::milliseconds{300};
    return sc;
  }

  /// Spawns the store with `sc`, then a secret watcher on cluster-1 (the store's reflector
  /// settings) feeding it; `informer_spawned`, if set, sees each secret informer it spawns.
  void start(const actors::cluster_store_config& sc,
             actors::informer_spawn_observer informer_spawned = {}) {
    store = sys.spawn(actors::cluster_store_impl, sc);
    actors::secret_watcher_config wc;
    wc.transport = transport;
    wc.config_cluster_client = transport->add_client(sim.settings(0));
    wc.config_cluster_id = "cluster-1";
    wc.cluster_store = store;
    wc.reflector = sc.reflector;
    wc.informer_spawned = std::move(informer_spawned);
    watcher = sys.spawn(actors::secret_watcher_impl, wc);
  }

  sim_fixture sim;
  std::shared_ptr<kube::transport> transport = std::make_shared<kube::transport>();
  caf::actor store;
  caf::actor watcher;
};

} // namespace ambient::test
