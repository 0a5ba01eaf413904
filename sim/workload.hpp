#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "sim/store.hpp"

namespace ambient::sim {

/// The shape of a generated cluster.
struct workload_shape {
  uint32_t namespaces = 2;
  uint32_t nodes = 3;
  uint32_t services = 10; ///< spread over the namespaces
  uint32_t pods = 100;    ///< spread over the services
  /// Label the generated namespaces istio.io/dataplane-mode=ambient.
  bool ambient = true;
};

/// What seeding made, for the churn driver and for assertions.
struct seeded_cluster {
  uint32_t cluster_index = 0;
  std::vector<std::string> namespaces;
  std::vector<std::string> nodes;
  struct service_ref {
    std::string namespace_, name, app;
  };
  std::vector<service_ref> services;
  uint32_t next_pod = 0;
  /// Namespaces are in ambient: pods carry istio-cni's redirection annotation.
  bool ambient = false;
};

/// Fills a store with namespaces, nodes (with topology labels), services and their pods.
/// Deterministic for a given cluster index (names and IPs), so tests can predict the result.
seeded_cluster seed_workloads(store& s, uint32_t cluster_index, const workload_shape& shape);

/// One step of churn: what changed.
enum class churn_kind { create_pod, delete_pod, flip_readiness, relabel_pod };

/// Applies random churn to a seeded store at a target rate on its own thread: pod creates and
/// deletes (keeping the pod count near its seed), readiness flips and label changes.
class churn_driver {
public:
  churn_driver(store& s, seeded_cluster seed, uint64_t rng_seed);
  ~churn_driver();

  /// Applies one change now; returns what it did. Thread-compatible (not concurrently with run).
  churn_kind step();
  /// Starts applying `events_per_second` changes per second until stop().
  void start(double events_per_second);
  /// Like start(), but every change is a stamped relabel: a random live pod's
  /// service.istio.io/canonical-revision label (its Workload's canonical_revision) becomes
  /// `<prefix><n>` for the n-th change, and the CLOCK_MONOTONIC time the change entered the store
  /// is recorded, so a client can time event → arrival (bench/harness).
  void start_stamped(double events_per_second, std::string prefix);
  void stop();
  uint64_t applied() const {
    return applied_.load();
  }
  /// One stamped change: its number and when it entered the store (steady_clock ns).
  struct stamp {
    uint64_t n;
    int64_t at_ns;
  };
  /// The stamps recorded so far.
  std::vector<stamp> stamps() const;

private:
  void run(double events_per_second, const std::function<void()>& one);
  void stamped_step();

  store& store_;
  seeded_cluster seed_;
  std::mt19937_64 rng_;
  std::vector<std::pair<std::string, std::string>> live_pods_; // namespace, name
  std::atomic<bool> running_{false};
  std::atomic<uint64_t> applied_{0};
  std::thread thread_;
  std::string stamp_prefix_;
  mutable std::mutex stamps_mutex_;
  std::vector<stamp> stamps_;
};

} // namespace ambient::sim
