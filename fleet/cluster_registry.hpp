#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "base/sha256.hpp"
#include "fleet/lifecycle.hpp"
#include "kube/backoff.hpp"
#include "kube/decode.hpp"
#include "kube/kubeconfig.hpp"

namespace ambient::fleet {

/// One cluster of a remote secret: its ID (the data key), kubeconfig and the kubeconfig's SHA-256.
struct remote_kubeconfig {
  std::string cluster_id;
  std::string kubeconfig;
  std::string sha256; ///< lowercase hex
};

/// Reads a remote secret's data: every key is a cluster ID, every value a kubeconfig.
std::vector<remote_kubeconfig> read_remote_secret(const kube::secret& s);

/// Lowercase hex SHA-256 of `data` (the one copy lives in base/).
using base::sha256_hex;

/// The registry's view of one cluster.
struct cluster_record {
  std::string cluster_id;
  std::string secret; ///< "namespace/name" of the owning secret
  std::string sha256;
  lifecycle state = lifecycle::pending;
  std::string last_error;
  uint32_t restarts = 0;
  uint64_t generation = 0;                 ///< which incarnation of the cluster's actor is current
  std::optional<kube::rest_config> config; ///< empty when the kubeconfig was refused
};

/// A cluster ID claimed by a second secret while another owns it (first secret wins).
struct cluster_conflict {
  std::string cluster_id;
  std::string owner;
  std::string claimant;
};

// -- effects: what the shell (cluster_store) must do ------------------------------------------

/// Spawn the cluster's actor (generation `generation`) with this configuration.
struct start_cluster {
  std::string cluster_id;
  uint64_t generation;
  kube::rest_config config;
};
/// Stop the actor of that generation and withdraw its contribution.
struct stop_cluster {
  std::string cluster_id;
  uint64_t generation;
};
/// The cluster is gone (its secret or key was deleted, or another secret took the ID over): its
/// contribution up to `generation` leaves the merged view. A replaced or failed cluster is not
/// withdrawn: its last-known-good contribution stays until a newer generation has synced.
struct withdraw_cluster {
  std::string cluster_id;
  uint64_t generation;
};
/// Call on_restart_due(cluster_id, generation) after `delay`.
struct restart_later {
  std::string cluster_id;
  uint64_t generation;
  std::chrono::milliseconds delay;
};
/// Something the operator should see in the log.
struct notice {
  bool warning = true;
  std::string message;
};

using registry_effect
    = std::variant<start_cluster, stop_cluster, withdraw_cluster, restart_later, notice>;
using registry_effects = std::vector<registry_effect>;

/// The functional core of cluster_store: which clusters exist, who owns them, and what to start,
/// stop or restart when remote secrets change or cluster actors die. Stores an entry before asking
/// for a start (a refused kubeconfig still has an entry, `failed`, replaced by the secret's next
/// update); restarts a cluster only when its kubeconfig's hash changes; ignores the config
/// cluster's own ID; first secret wins a contested ID and the conflict stays visible, and the
/// next claimant takes over when the owner lets go. Pure: time and randomness are inputs.
class cluster_registry {
public:
  using time_point = std::chrono::steady_clock::time_point;

  cluster_registry(std::string config_cluster_id, kube::kubeconfig_policy policy,
                   kube::backoff::params restart_backoff = {});

  /// Adds the config cluster itself (credentials from the pod's service account or a kubeconfig
  /// flag): a cluster like the others, owned by no secret (`secret` is empty) and never withdrawn.
  registry_effects add_config_cluster(kube::rest_config config);
  /// A remote secret was added or changed: `entries` is its whole data.
  registry_effects on_secret(const std::string& secret_key,
                             const std::vector<remote_kubeconfig>& entries);
  /// A remote secret was deleted.
  registry_effects on_secret_deleted(const std::string& secret_key);
  /// A cluster actor died abnormally: restart it after a backoff.
  registry_effects on_cluster_died(const std::string& cluster_id, uint64_t generation,
                                   const std::string& error, time_point now, double random01);
  /// A restart_later elapsed.
  registry_effects on_restart_due(const std::string& cluster_id, uint64_t generation);
  /// A cluster actor reported its state; reports of an old generation are ignored.
  void on_state(const std::string& cluster_id, uint64_t generation, lifecycle state,
                const std::string& error);

  const std::map<std::string, cluster_record>& clusters() const {
    return clusters_;
  }
  const std::vector<cluster_conflict>& conflicts() const {
    return conflicts_;
  }

private:
  struct claim {
    std::string secret;
    remote_kubeconfig entry;
  };

  void admit(const std::string& secret_key, const remote_kubeconfig& e, registry_effects& out);
  void release(const std::string& cluster_id, registry_effects& out);

  std::string config_cluster_id_;
  kube::kubeconfig_policy policy_;
  kube::backoff::params backoff_params_;
  std::map<std::string, cluster_record> clusters_;
  std::map<std::string, kube::backoff> backoffs_;
  std::vector<cluster_conflict> conflicts_;
  std::map<std::string, std::vector<claim>> waiting_claims_; ///< by cluster ID, in arrival order
  uint64_t next_generation_ = 1;
};

} // namespace ambient::fleet
