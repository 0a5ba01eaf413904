#pragma once

#include <memory>
#include <optional>
#include <string>
#include <variant>

#include "cmd/ambientd/options.hpp"
#include "kube/kubeconfig.hpp"
#include "kube/transport.hpp"
#include "mesh/mesh_config.hpp"

/// What ambientd reads before it starts anything: the config cluster's credentials and the mesh
/// config. A string result is an error that stops start-up (the operator's own configuration is
/// wrong).
namespace ambient::cmd {

/// The config cluster's credentials and where they came from.
struct found_config {
  kube::rest_config config;
  kube::connection_settings settings;
  std::string source;
};

/// Neither --kubeconfig nor a pod's service account: no config cluster.
struct no_config {};

/// What the actor tree is built from.
struct tree_settings {
  const ambientd_options* opts = nullptr;
  kube::kubeconfig_policy policy;
  std::shared_ptr<kube::transport> transport;
  mesh::mesh_config mesh;
  std::optional<found_config> config_cluster; ///< none: no remote secrets are watched
  /// The built-in CA's roots, published in every namespace; "" when the CA is off (no publisher).
  std::string ca_roots_pem{};
};

/// Everything the tree needs from the options: the config cluster and the mesh config (a
/// string: why start-up must stop), a fresh transport and `policy` for kubeconfigs.
std::variant<tree_settings, std::string> read_tree_settings(const ambientd_options& opts,
                                                            kube::kubeconfig_policy policy);

/// Finds the config cluster: --kubeconfig, else the pod's service account, else none.
std::variant<found_config, no_config, std::string> config_cluster(const ambientd_options& opts);

/// Reads --mesh-config (defaults without one). The cluster ID is --cluster-id's; a file naming
/// another one is refused rather than silently overridden.
std::variant<mesh::mesh_config, std::string> load_mesh_config(const ambientd_options& opts);

/// This replica's identity in the Lease: the flag, else $POD_NAME (the Deployment sets it from
/// the downward API), else the host name with a random suffix (two processes on one host differ).
std::string replica_identity(const std::string& flag);

/// What ambientd answers without starting: --help and --version (stdout, 0), a flag error
/// (stderr, 2) and --check-config. nullopt: run.
std::optional<int> answer_without_running(const ambientd_parse& parsed);

/// --check-config: everything start-up reads before it starts anything; what is wrong goes to
/// stderr (exit 2), "configuration OK" to stdout (exit 0).
int check_config(const ambientd_options& opts);

} // namespace ambient::cmd
