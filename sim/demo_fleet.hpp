#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "sim/fleet.hpp"

namespace ambient::sim {

/// How the demo fleet is set up and when its script's steps happen (measured from its start).
struct demo_options {
  /// Where the kubeconfigs (`<cluster>.kubeconfig`) and the mesh config (`mesh-config.yaml`) go;
  /// created if missing.
  std::string dir;
  /// The malformed remote secret is replaced by a good one then.
  std::chrono::milliseconds fix_secret_after{5000};
  /// The outage cluster's API server goes down then...
  std::chrono::milliseconds outage_at{9000};
  /// ...and comes back on the same port this long after.
  std::chrono::milliseconds outage_length{6000};
};

/// What happened at one step of the demo script, for the operator to read.
struct demo_event {
  /// When the step was due, since the fleet started.
  std::chrono::milliseconds at;
  /// One line saying what changed and what ambientd should make of it.
  std::string what;
};

/// The fleet behind `ambientd --demo`: a config cluster and three remote clusters on two networks
/// (cluster-1 and cluster-2 on network-1, cluster-3 and cluster-4 on network-2, each network-2
/// cluster with an istio-east-west Gateway, the config cluster with the istio-remote Gateway that
/// reaches network-2), an ambient `bookinfo` namespace in every cluster with productpage, details,
/// reviews (v1/v2/v3 spread over the clusters) and ratings, all but details global
/// (istio.io/global=true), each app's pods running as ServiceAccount `bookinfo-<app>` (which
/// exists, as does `default`, so TokenRequests for the pods work); in the config cluster a
/// selector-less `demo/legacy-db` with a hand-written EndpointSlice (create_legacy_db) and remote
/// secrets for the three remotes. A small script then exercises ambientd's failure handling:
/// cluster-3's remote secret starts with a kubeconfig that ambientd refuses (a plain-http server)
/// and is fixed at `fix_secret_after`; cluster-4's API server goes down at `outage_at` and comes
/// back after `outage_length`. Every server listens on 127.0.0.1; the destructor stops them all.
class demo_fleet {
public:
  /// Writes the mesh config, builds and starts the clusters, writes their kubeconfigs and creates
  /// the objects and remote secrets. Throws std::invalid_argument for bad options and
  /// std::runtime_error (naming the path) when `dir` cannot be created or written.
  explicit demo_fleet(demo_options opts);
  ~demo_fleet();
  demo_fleet(const demo_fleet&) = delete;
  demo_fleet& operator=(const demo_fleet&) = delete;

  /// The cluster ambientd runs in ("cluster-1"): pass it as --cluster-id.
  const std::string& config_cluster_id() const {
    return config_cluster_;
  }
  /// The config cluster's kubeconfig: pass it as --kubeconfig.
  std::string config_kubeconfig_path() const;
  /// The mesh config (trust domain, cluster ID, network-1, the global-service scope config): pass
  /// it as --mesh-config.
  const std::string& mesh_config_path() const {
    return mesh_config_path_;
  }
  /// Every cluster of the fleet, the config cluster first.
  std::vector<std::string> cluster_ids() const;
  /// The remote cluster whose secret starts malformed ("cluster-3").
  const std::string& malformed_secret_cluster() const {
    return bad_secret_cluster_;
  }
  /// The remote cluster whose API server has the outage ("cluster-4").
  const std::string& outage_cluster() const {
    return outage_cluster_;
  }
  /// The name of the remote secret (in the config cluster's istio-system) for `cluster_id`.
  static std::string remote_secret_name(const std::string& cluster_id) {
    return "istio-remote-secret-" + cluster_id;
  }
  /// One line per cluster (name, network, server URL, role and its scripted trouble) and one
  /// naming the mesh config, for the operator to read at start.
  std::vector<std::string> describe() const;

  /// Carries out every script step due at `elapsed` since start that has not run yet, in order,
  /// and returns what they did. Call from one thread at a time.
  std::vector<demo_event> advance(std::chrono::milliseconds elapsed);
  /// Whether every script step has run.
  bool script_done() const {
    return next_step_ == script_.size();
  }

  /// The simulated clusters, for tests and for inspection.
  fleet& clusters() {
    return *fleet_;
  }

private:
  struct step {
    std::chrono::milliseconds at;
    std::function<std::string()> run;
  };

  /// Creates the namespaces, nodes, gateways, services, pods and remote secrets.
  void populate();
  /// Puts the good kubeconfig into the malformed remote secret; returns an error message or "".
  std::string fix_secret();

  const std::string config_cluster_ = "cluster-1";
  const std::string bad_secret_cluster_ = "cluster-3";
  const std::string outage_cluster_ = "cluster-4";
  demo_options opts_;
  std::string mesh_config_path_;
  std::unique_ptr<fleet> fleet_;
  std::vector<step> script_;
  size_t next_step_ = 0;
};

} // namespace ambient::sim
