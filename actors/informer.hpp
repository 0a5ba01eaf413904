#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include <caf/event_based_actor.hpp>
#include <caf/stateful_actor.hpp>

#include "actors/instrumented.hpp"
#include "actors/request_slot.hpp"

#include "kube/informer_core.hpp"
#include "kube/informer_metrics.hpp"
#include "kube/resource_kind.hpp"
#include "kube/transport.hpp"
#include "messages/informer.hpp"

namespace ambient::actors {

/// What one informer watches and whom it tells.
struct informer_config {
  kube::resource_kind kind = kube::resource_kind::pods;
  std::string cluster_id;
  std::shared_ptr<kube::transport> transport;
  kube::transport::client_id client = 0;
  caf::actor parent;                ///< receives informer_batch_ptr and informer_health
  std::string namespace_;           ///< empty: all namespaces
  std::string label_selector;       ///< empty: everything
  std::string field_selector;       ///< empty: everything
  kube::reflector_config reflector; ///< client-go defaults
  kube::decode_limits limits;
  std::chrono::milliseconds liveness_interval{1000};
  /// Keys the parent still holds from an earlier informer of this collection (see
  /// informer_keys): the first list reports those the server no longer has as deleted.
  std::vector<std::string> known_keys;
  /// The version those keys reflect (informer_keys::resource_version()): the first list asks for
  /// a state no older. "" lists at "0", any version, as a first informer does.
  std::string known_resource_version;
};

/// The keys of the objects a parent holds from its informer of one collection, kept from the
/// batches the informer sends, and the collection version they reflect. They outlive the informer
/// like client-go's knownObjects outlive a reflector: a restarted informer is seeded with them, so
/// objects deleted while no informer watched are reported deleted instead of staying in the view
/// for ever, and its first list asks for a state no older than the one the parent holds.
class informer_keys {
public:
  void apply(const messages::informer_batch& batch);
  std::vector<std::string> snapshot() const {
    return {keys_.begin(), keys_.end()};
  }
  size_t size() const {
    return keys_.size();
  }
  /// The collection version the last batch named ("" before the informer's first sync, and after
  /// its resource type stopped being served).
  const std::string& resource_version() const {
    return resource_version_;
  }

private:
  std::unordered_set<std::string> keys_;
  std::string resource_version_;
};

/// Called with every informer a parent spawns, on the parent's thread. Tests use it to make an
/// informer crash.
using informer_spawn_observer = std::function<void(kube::resource_kind, const caf::actor&)>;

/// The informer's state: the pure informer core plus what ties it to the transport and the
/// parent.
struct informer_state {
  static inline const char* name = "informer";

  informer_config cfg;
  std::optional<kube::informer_core> core;
  std::optional<request_slot> api; ///< the LIST or WATCH in flight
  uint64_t timer_generation = 0;
  std::optional<kube::informer_metrics> metrics;
};

using informer_actor_ptr = instrumented_actor<informer_state>*;

/// One (cluster, resource) informer: the shell of kube::informer_core. It carries the transport's
/// bytes and ends to the core, starts the requests and timers the core asks for, sends its
/// changes as batches and its health to the parent, and keeps the metrics. Transient errors never
/// kill it; it backs off and heals.
caf::behavior informer_impl(informer_actor_ptr self, informer_config cfg);

} // namespace ambient::actors
