#include "cmd/ambientd/options.hpp"

#include "admin/http_server.hpp"
#include "admin/listen_address.hpp"
#include "cmd/version.hpp"
#include "fleet/leader_election.hpp"

namespace ambient::cmd {

ambientd_parse parse_ambientd_flags(int argc, const char* const* argv) {
  ambientd_parse out;
  auto& o = out.options;
  flag_set flags{"ambientd",
                 "Control plane for Istio ambient multicluster: watches remote secrets, runs "
                 "informers against every cluster and serves the merged mesh over xDS.",
                 std::string{"ambientd "} + version_string};
  flags.enable_config_file(&o.config_file);
  flags.add("cluster-id", &o.cluster_id,
            "ID of the config cluster ambientd runs in (istiod's CLUSTER_ID)");
  flags.add("system-namespace", &o.system_namespace,
            "namespace holding remote secrets, the Lease and the status ConfigMap");
  flags.add_choice("log-level", &o.log_level,
                   {"trace", "debug", "info", "warn", "error", "critical", "off"},
                   "lowest level of log lines written");
  flags.add_choice("log-format", &o.log_format, {"text", "json"},
                   "log line format: text, or one JSON object per line");
  flags.add("kubeconfig", &o.kubeconfig,
            "kubeconfig of the config cluster (default: the pod's service account)");
  flags.add("insecure-kubeconfig-options", &o.insecure_kubeconfig_options,
            "kubeconfig features remote secrets may use, comma-separated: exec, authProvider, "
            "tokenFile, clientKey, clientCertificate, certificateAuthority (default: none)");
  flags.add("remote-sync-timeout", &o.remote_sync_timeout,
            "time a cluster may take to sync before it is reported as timeout (it keeps trying)");
  flags.add("stale-cluster-limit", &o.stale_cluster_limit,
            "how long a cluster may serve data that is not current (a failing watch, a restart, "
            "a changed kubeconfig not synced yet) before its workloads are withdrawn until it "
            "syncs again; at least 1s, or 0: no limit, as istiod");
  flags.add("mesh-config", &o.mesh_config,
            "mesh config file (YAML): trustDomain, clusterDomain, network, rootNamespace, "
            "discoverySelectors, serviceScopeConfigs, clusterDiscoverySelectors");
  flags.add("revision", &o.revision,
            "istiod's revision: AuthorizationPolicies and PeerAuthentications labelled "
            "istio.io/rev with another revision are ignored (empty: none, all count)");
  flags.add("xds-address", &o.xds_address,
            "plaintext xDS (delta ADS) listener, host:port (port 0: any); empty: off");
  flags.add("xds-tls-address", &o.xds_tls_address,
            "TLS xDS listener, host:port (istiod's 15012; port 0: any); empty: off");
  flags.add("xds-tls-cert", &o.xds_tls_cert, "PEM serving certificate of the mTLS xDS listener");
  flags.add("xds-tls-key", &o.xds_tls_key, "PEM private key of the mTLS xDS listener");
  flags.add("xds-client-ca", &o.xds_client_ca,
            "PEM CA bundle that clients' certificates on the mTLS listener must chain to");
  flags.add_choice("xds-client-cert", &o.xds_client_cert, {"optional", "required"},
                   "whether TLS xDS callers must present a client certificate: optional (as "
                   "istiod; callers without one authenticate with a service-account token) or "
                   "required");
  flags.add_choice("ca", &o.ca, {"builtin", "off"},
                   "the Istio CA (IstioCertificateService) on the TLS listener: builtin, or off");
  flags.add("cacerts-dir", &o.cacerts_dir,
            "plugged-in CA directory (istiod's /etc/cacerts: ca-cert.pem, ca-key.pem, "
            "cert-chain.pem, root-cert.pem); without ca-key.pem there, a self-signed root is made");
  flags.add("ca-check-interval", &o.ca_check_interval,
            "how often the CA reads --cacerts-dir or secret istio-ca-secret again (a rotated CA "
            "is used without a restart) and renews its TLS listener certificate at half life "
            "(at least 1s)");
  flags.add_choice("ca-key-type", &o.ca_key_type, {"rsa-2048", "ec-p256"},
                   "key type of the self-signed root (istiod's is rsa-2048)");
  flags.add("max-workload-cert-ttl", &o.max_workload_cert_ttl,
            "longest workload certificate granted; longer requests are refused, as istiod "
            "(istiod's MAX_WORKLOAD_CERT_TTL)");
  flags.add("ca-accept-csr-sans", &o.ca_accept_csr_sans,
            "sign a CSR whatever SANs it asks for, replacing them with the caller's identity, as "
            "istiod does (default: refuse a CSR that asks for another identity)");
  flags.add(
      "ca-trusted-node-accounts", &o.ca_trusted_node_accounts,
      "node agents that may ask for the identity of a pod on their node, namespace/sa, "
      "comma-separated (istiod's CA_TRUSTED_NODE_ACCOUNTS; default <system namespace>/ztunnel)");
  flags.add("xds-extra-sans", &o.xds_extra_sans,
            "more DNS names for the CA-issued TLS listener certificate, comma-separated (istiod's "
            "ISTIOD_CUSTOM_HOST)");
  flags.add("token-audiences", &o.token_audiences,
            "audiences a TLS caller's service-account token must carry, comma-separated "
            "(istiod's TOKEN_AUDIENCES; default istio-ca)");
  flags.add("xds-tls-reload", &o.xds_tls_reload,
            "how often the mTLS certificate, key and CA files are re-read (at least 1s)");
  flags.add("xds-push-interval", &o.xds_push_interval,
            "least time between two pushes of mesh changes to xDS clients: a change after a "
            "quiet spell goes out at once, later ones within the interval go out together "
            "(0: every change at once; istiod debounces 100ms)");
  flags.add("xds-allowed-spiffe-ids", &o.xds_allowed_spiffe_ids,
            "SPIFFE IDs allowed on the mTLS listener, comma-separated; a trailing /* allows a "
            "path prefix (default: any certificate from --xds-client-ca)");
  flags.add("remote-secret-selector", &o.remote_secret_selector,
            "label selector of the remote secrets in the system namespace");
  flags.add("monitoring-address", &o.monitoring_address,
            "/metrics, /healthz and /readyz listener, host:port (istiod's 15014; port 0: any); "
            "empty: off");
  flags.add("debug-address", &o.debug_address,
            "/debug/* and dashboard listener, host:port (port 0: any); empty: off");
  flags.add("require-remote-clusters", &o.require_remote_clusters,
            "/readyz waits until every remote cluster has synced, timed out or failed");
  flags.add("leader-election", &o.leader_election,
            "compete for the leader Lease in the config cluster; only the leader writes the "
            "status ConfigMap (every replica serves xDS)");
  flags.add("lease-name", &o.lease_name, "name of the leader Lease in the system namespace");
  flags.add("identity", &o.identity,
            "this replica's identity in the Lease (default: $POD_NAME, else host name + suffix)");
  flags.add("lease-duration", &o.lease_duration,
            "how long the lease stays valid after its holder was last seen renewing it");
  flags.add("renew-deadline", &o.renew_deadline,
            "how long the leader keeps trying to renew before it stops leading");
  flags.add("retry-period", &o.retry_period,
            "how often candidates try to acquire the lease and the leader renews it");
  flags.add("status-configmap", &o.status_configmap,
            "ConfigMap in the system namespace the leader writes every cluster's status to");
  flags.add("check-config", &o.check_config,
            "check the flags, the --config file, the mesh config, --kubeconfig and the SPIFFE "
            "allow-list, print what is wrong, and exit (0: all good) without starting");
  flags.add("demo", &o.demo,
            "run against an embedded simulated fleet (a config cluster and three remote "
            "clusters) instead of --kubeconfig or the pod's service account");
  flags.add("demo-duration", &o.demo_duration_text,
            "with --demo: stop after this long and exit 0 only if every demo cluster synced "
            "(default: run until Ctrl-C)");
  out.result = flags.parse(argc, argv);
  out.usage = flags.usage();
  out.version = flags.version();
  if (out.result.outcome == parse_outcome::run) {
    if (auto* err = std::get_if<kube::kubeconfig_error>(&(
            out.policy_or_error = kube::parse_kubeconfig_policy(o.insecure_kubeconfig_options)))) {
      out.result = {parse_outcome::error, "--insecure-kubeconfig-options: " + err->message};
      return out;
    }
    if (o.remote_sync_timeout.count() <= 0) {
      out.result = {parse_outcome::error, "--remote-sync-timeout must be positive"};
      return out;
    }
    if (o.stale_cluster_limit.count() != 0 && o.stale_cluster_limit < std::chrono::seconds{1}) {
      out.result
          = {parse_outcome::error, "--stale-cluster-limit must be 0 (no limit) or at least 1s"};
      return out;
    }
    // With the built-in CA the three files may all be left out: the CA issues the serving
    // certificate and clients are verified against the mesh root.
    bool ca_serves = o.ca == "builtin" && o.xds_tls_cert.empty() && o.xds_tls_key.empty()
                     && o.xds_client_ca.empty();
    if (!o.xds_tls_address.empty() && !ca_serves) {
      for (auto [flag, value] : {std::pair{"--xds-tls-cert", &o.xds_tls_cert},
                                 std::pair{"--xds-tls-key", &o.xds_tls_key},
                                 std::pair{"--xds-client-ca", &o.xds_client_ca}})
        if (value->empty()) {
          out.result = {parse_outcome::error,
                        std::string{flag} + " is required with --xds-tls-address"
                            + (o.ca == "builtin" ? " when any of the three files is given" : "")};
          return out;
        }
    }
    if (o.max_workload_cert_ttl < std::chrono::hours{1}) {
      out.result = {parse_outcome::error, "--max-workload-cert-ttl must be at least 1h"};
      return out;
    }
    if (auto why = fleet::validate(
            fleet::election_timing{o.lease_duration, o.renew_deadline, o.retry_period});
        !why.empty()) {
      out.result
          = {parse_outcome::error, "--lease-duration/--renew-deadline/--retry-period: " + why};
      return out;
    }
    for (auto [flag, value] : {std::pair{"--monitoring-address", &o.monitoring_address},
                               std::pair{"--debug-address", &o.debug_address}})
      if (!value->empty() && !admin::parse_listen_address(*value)) {
        out.result = {parse_outcome::error,
                      std::string{flag} + " " + *value + ": not host:port, [v6]:port or :port"};
        return out;
      }
    if (!o.demo_duration_text.empty()) {
      const auto& t = o.demo_duration_text;
      bool seconds = t.find_first_not_of("0123456789") == std::string::npos && t.size() < 9;
      auto d = seconds ? std::optional{std::chrono::milliseconds{std::stoll(t) * 1000}}
                       : parse_duration(t);
      if (!d || d->count() <= 0 || !o.demo) {
        out.result = {parse_outcome::error,
                      "--demo-duration " + t
                          + ": needs --demo and a positive duration (\"30\" seconds, \"90s\", "
                            "\"2m\")"};
        return out;
      }
      o.demo_duration = *d;
    }
    if (o.demo && !o.kubeconfig.empty()) {
      out.result = {parse_outcome::error,
                    "--demo runs its own fleet: it cannot be combined with --kubeconfig"};
      return out;
    }
    if (o.xds_push_interval.count() < 0 || o.xds_push_interval > std::chrono::seconds{10}) {
      out.result = {parse_outcome::error, "--xds-push-interval must be between 0 and 10s"};
      return out;
    }
    if (o.token_audiences.empty())
      o.token_audiences = {"istio-ca"};
    if (o.ca_trusted_node_accounts.empty())
      o.ca_trusted_node_accounts = {o.system_namespace + "/ztunnel"};
    if (o.ca_check_interval < std::chrono::seconds{1}) {
      out.result = {parse_outcome::error, "--ca-check-interval must be at least 1s"};
      return out;
    }
    if (o.xds_tls_reload < std::chrono::seconds{1}) {
      out.result = {parse_outcome::error, "--xds-tls-reload must be at least 1s"};
      return out;
    }
    if (o.xds_address.empty() && o.xds_tls_address.empty()) {
      out.result = {parse_outcome::error,
                    "--xds-address and --xds-tls-address are both empty: nothing would serve xDS"};
      return out;
    }
    // Both were validated as choices above.
    out.log.level = telemetry::parse_log_level(o.log_level).value_or(spdlog::level::info);
    out.log.format
        = telemetry::parse_log_format(o.log_format).value_or(telemetry::log_format::text);
  }
  return out;
}

} // namespace ambient::cmd
