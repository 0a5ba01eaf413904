#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>

#include <caf/actor.hpp>

namespace ambient::actors {

/// A top-level actor that ended while ambientd was not shutting down.
struct top_level_death {
  std::string actor;  ///< the name main gave it ("xds_publisher", ...)
  std::string reason; ///< CAF's exit reason, as text
};

/// The root of the supervision tree. cluster_store, readiness_aggregator, xds_publisher,
/// secret_watcher, leader_elector and status_writer are spawned by main and wired to each other
/// (and to gRPC's ADS service) by handle; nothing above them could rebuild that wiring and the
/// state they hold (the merged view, every stream's versions) in place. So when one of them ends
/// before main asked it to, the root does what an Erlang node does when its top supervisor
/// gives up: it reports the death so that main exits and the Deployment restarts the pod, while
/// the other replicas keep serving. Without this, a crashed publisher would leave a process that
/// looks alive and answers no xDS request.
class top_level_watch {
public:
  using handler = std::function<void(const top_level_death&)>;

  /// `on_death` runs on the dying actor's thread, for every top-level actor that ends before
  /// stopping() was called.
  explicit top_level_watch(handler on_death);

  /// Watches `actor` under `name` (an actor that already ended is reported at once).
  void watch(std::string name, const caf::actor& actor);

  /// main's own shutdown begins: ends from now on are expected and not reported.
  void stopping();

private:
  struct shared {
    handler on_death;
    std::atomic<bool> stopping{false};
  };
  std::shared_ptr<shared> shared_;
};

} // namespace ambient::actors
