#pragma once

#include <chrono>
#include <string>
#include <variant>
#include <vector>

#include "cmd/flags.hpp"
#include "kube/kubeconfig.hpp"
#include "telemetry/log.hpp"

namespace ambient::cmd {

/// Everything ambientd is told at start-up, from flags and the optional --config file.
struct ambientd_options {
  std::string config_file;
  std::string cluster_id = "Kubernetes";
  std::string system_namespace = "istio-system";
  std::string log_level = "info";
  std::string log_format = "text";
  /// The config cluster's kubeconfig; empty: in-cluster service-account credentials.
  std::string kubeconfig;
  /// Kubeconfig features remote secrets may use (istiod's --insecure-kubeconfig-options).
  std::string insecure_kubeconfig_options;
  /// istiod's PILOT_REMOTE_CLUSTER_TIMEOUT.
  std::chrono::milliseconds remote_sync_timeout{std::chrono::seconds{30}};
  /// How long a cluster may serve data that is not current (a failing watch, a restart, a changed
  /// kubeconfig that has not synced) before its workloads are withdrawn until it syncs again;
  /// 0: no limit, as istiod keeps its informer caches.
  std::chrono::milliseconds stale_cluster_limit{0};
  /// Mesh config file (YAML): trust domain, cluster domain, network, discovery selectors,
  /// service scope.
  std::string mesh_config;
  /// istiod's revision: AuthorizationPolicies and PeerAuthentications labelled istio.io/rev with
  /// another value are ignored; empty: none (every object counts).
  std::string revision;
  /// Plaintext xDS (ADS) listener, host:port; empty turns it off.
  std::string xds_address = "0.0.0.0:15010";
  /// TLS xDS listener (istiod's 15012), host:port; empty turns it off. Needs the three files.
  std::string xds_tls_address;
  /// Its serving certificate and key, and the CA bundle client certificates must chain to (PEM).
  std::string xds_tls_cert, xds_tls_key, xds_client_ca;
  /// Whether TLS xDS callers may come without a client certificate ("optional", istiod's
  /// behaviour: ztunnel proves itself with a token) or must present one ("required").
  std::string xds_client_cert = "optional";
  /// The built-in Istio CA on the TLS listener ("builtin") or none ("off").
  std::string ca = "builtin";
  /// istiod's plugged-in CA directory (the mounted cacerts Secret); used when it holds ca-key.pem.
  std::string cacerts_dir = "/etc/cacerts";
  /// How often the CA reads its plugged-in files or istio-ca-secret again (a rotation needs no
  /// restart) and checks its TLS listener certificate's age.
  std::chrono::milliseconds ca_check_interval{10'000};
  /// The self-signed root's key type: "rsa-2048" (istiod's) or "ec-p256".
  std::string ca_key_type = "rsa-2048";
  /// Longest workload certificate granted (istiod's MAX_WORKLOAD_CERT_TTL, 90 days); a longer
  /// request is refused, as istiod does.
  std::chrono::milliseconds max_workload_cert_ttl{std::chrono::hours{24 * 90}};
  /// Sign CSRs whatever SANs they ask for, as istiod does (it overwrites them); by default a CSR
  /// asking for another identity than the caller's is refused.
  bool ca_accept_csr_sans = false;
  /// Node agents that may ask for the identity of a pod on their node, "namespace/sa" (istiod's
  /// CA_TRUSTED_NODE_ACCOUNTS); empty after parsing means "<system namespace>/ztunnel", the Helm
  /// chart's value.
  std::vector<std::string> ca_trusted_node_accounts;
  /// More DNS names for the CA-issued 15012 certificate (istiod's ISTIOD_CUSTOM_HOST).
  std::vector<std::string> xds_extra_sans;
  /// Audiences a caller's service-account token must carry (istiod's TOKEN_AUDIENCES); empty
  /// after parsing means the default, istio-ca.
  std::vector<std::string> token_audiences;
  /// How often the three files are re-read (a rotated certificate needs no restart).
  std::chrono::milliseconds xds_tls_reload{60'000};
  /// The least time between two pushes of mesh changes to xDS clients (0: every change at once).
  std::chrono::milliseconds xds_push_interval{5};
  /// SPIFFE IDs allowed on the mTLS listener, comma-separated; "…/*" allows a path prefix;
  /// empty: every client certificate from the CA.
  std::string xds_allowed_spiffe_ids;
  /// Label that marks remote secrets (istiod's istio/multiCluster=true).
  std::string remote_secret_selector = "istio/multiCluster=true";
  /// /metrics, /healthz and /readyz (istiod's 15014), host:port; empty turns it off.
  std::string monitoring_address = ":15014";
  /// /debug/* and the dashboard, host:port; loopback unless told otherwise; empty turns it off.
  std::string debug_address = "127.0.0.1:8080";
  /// /readyz also waits until every remote cluster has finished trying to sync.
  bool require_remote_clusters = false;
  /// Leader election on a Lease in the config cluster (the leader writes the status ConfigMap).
  bool leader_election = true;
  std::string lease_name = "ambientd-leader";
  /// This replica's identity in the Lease; empty: $POD_NAME, else the host name and a random
  /// suffix.
  std::string identity;
  /// client-go's timings, istiod's defaults.
  std::chrono::milliseconds lease_duration{30'000};
  std::chrono::milliseconds renew_deadline{15'000};
  std::chrono::milliseconds retry_period{7'500};
  /// The ConfigMap the leader writes the cluster status to.
  std::string status_configmap = "ambientd-cluster-status";
  /// Only checks the flags, the --config file and the mesh config, then exits (0: all good).
  bool check_config = false;
  /// Runs against an embedded simulated fleet instead of a real config cluster.
  bool demo = false;
  /// With --demo: stop after this long (0: run until SIGINT/SIGTERM). The flag takes a
  /// duration ("90s", "2m") or a bare number of seconds ("30", as in `scripts/demo.sh
  /// --demo-duration 30`).
  std::chrono::milliseconds demo_duration{0};
  std::string demo_duration_text;
};

/// The result of reading ambientd's command line.
struct ambientd_parse {
  parse_result result;
  ambientd_options options;
  std::string usage;
  std::string version;
  telemetry::log_config log;
  /// The parsed --insecure-kubeconfig-options.
  std::variant<kube::kubeconfig_policy, kube::kubeconfig_error> policy_or_error;
};

/// Reads ambientd's flags; on error the result names the flag or config key.
ambientd_parse parse_ambientd_flags(int argc, const char* const* argv);

} // namespace ambient::cmd
