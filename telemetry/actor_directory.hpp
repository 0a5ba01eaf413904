#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "telemetry/metrics.hpp"

namespace ambient::telemetry {

class actor_directory;

/// The metrics every actor of one kind in one cluster shares (labels `actor`, `cluster`; the
/// cluster is "" for actors that have none).
struct actor_group_metrics {
  counter* messages = nullptr;  ///< ambientd_actor_messages_total
  histogram* handler = nullptr; ///< ambientd_actor_handler_duration_seconds
  gauge* mailbox = nullptr;     ///< ambientd_actor_mailbox_depth (summed at scrape time)
  counter* restarts = nullptr;  ///< ambientd_actor_restarts_total
};

/// One live actor's telemetry, updated by the actor itself from its own thread and read by the
/// admin server. Cheap enough to run around every message: two clock reads, a few relaxed atomics.
class actor_probe {
public:
  actor_probe(actor_directory& dir, uint64_t id, uint64_t parent, std::string kind);

  /// Called as a message starts: marks the actor busy and samples its mailbox depth (messages
  /// already fetched into the actor's queue, which is what it still has to work through).
  void begin(std::size_t mailbox_depth) noexcept;

  /// Called as the message ends: counts it and records how long it took.
  void end() noexcept;

  /// Moves the actor into a cluster's group (its metrics get the `cluster` label). Call from the
  /// actor itself, before it handles messages of that cluster.
  void set_cluster(std::string_view cluster);

  uint64_t id() const noexcept {
    return id_;
  }
  uint64_t parent() const noexcept {
    return parent_;
  }
  const std::string& kind() const noexcept {
    return kind_;
  }

private:
  friend class actor_directory;

  actor_directory& dir_;
  const uint64_t id_;
  const uint64_t parent_;
  const std::string kind_;
  std::string cluster_; // guarded by the directory's mutex
  actor_group_metrics group_;
  std::atomic<uint64_t> handled_{0};
  std::atomic<uint64_t> depth_{0};
  /// Steady-clock nanoseconds when the current message started; 0 when idle.
  std::atomic<int64_t> busy_since_{0};
};

/// One live actor in a /debug/actors listing.
struct actor_record {
  uint64_t id = 0;
  uint64_t parent = 0; ///< 0: spawned by the process itself (the root)
  std::string kind;
  std::string cluster;
  uint64_t handled = 0;
  uint64_t mailbox_depth = 0;
  /// How long the message it is working on has taken so far; 0 when idle. A growing value
  /// names a wedged actor.
  std::chrono::nanoseconds busy_for{0};
};

/// Every live actor of the process and the per-kind actor metrics: messages handled, handler
/// time, mailbox depth, live actors and restarts. Thread-safe; no CAF (the actor shell feeds it).
class actor_directory {
public:
  explicit actor_directory(registry& metrics);

  /// Registers a new actor; keep the probe for its lifetime and call retire() when it ends.
  std::shared_ptr<actor_probe> enroll(uint64_t id, uint64_t parent, std::string_view kind);

  /// Forgets an actor that terminated.
  void retire(uint64_t id);

  /// Counts a restart of an actor of `kind` in `cluster` by its supervisor.
  void restarted(std::string_view kind, std::string_view cluster);

  /// The live actors, ordered by id.
  std::vector<actor_record> snapshot() const;

  /// Sets each group's mailbox-depth gauge to the sum of its live actors' last samples (groups
  /// without live actors read 0). Call before encoding the registry.
  void sample();

  registry& metrics() noexcept {
    return metrics_;
  }

private:
  friend class actor_probe;
  actor_group_metrics group_of(std::string_view kind, std::string_view cluster);

  registry& metrics_;
  mutable std::mutex mutex_;
  std::map<uint64_t, std::shared_ptr<actor_probe>> live_;
  std::map<std::string, gauge*, std::less<>> live_gauges_; // ambientd_actors{actor}
  std::map<std::pair<std::string, std::string>, actor_group_metrics> groups_;
};

/// The process-wide directory, reporting into default_registry(). Never destroyed.
actor_directory& default_actor_directory();

} // namespace ambient::telemetry
