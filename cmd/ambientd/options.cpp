#include "cmd/ambientd/options.hpp"

#include "cmd/version.hpp"

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
  flags.add("mesh-config", &o.mesh_config,
            "mesh config file (YAML): trustDomain, clusterDomain, network, discoverySelectors, "
            "serviceScopeConfigs, clusterDiscoverySelectors");
  flags.add("xds-address", &o.xds_address,
            "plaintext xDS (delta ADS) listener, host:port (port 0: any); empty: off");
  flags.add("xds-tls-address", &o.xds_tls_address,
            "mTLS xDS listener, host:port (istiod's 15012; port 0: any); empty: off");
  flags.add("xds-tls-cert", &o.xds_tls_cert, "PEM serving certificate of the mTLS xDS listener");
  flags.add("xds-tls-key", &o.xds_tls_key, "PEM private key of the mTLS xDS listener");
  flags.add("xds-client-ca", &o.xds_client_ca,
            "PEM CA bundle that clients' certificates on the mTLS listener must chain to");
  flags.add("xds-allowed-spiffe-ids", &o.xds_allowed_spiffe_ids,
            "SPIFFE IDs allowed on the mTLS listener, comma-separated; a trailing /* allows a "
            "path prefix (default: any certificate from --xds-client-ca)");
  flags.add("remote-secret-selector", &o.remote_secret_selector,
            "label selector of the remote secrets in the system namespace");
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
    if (!o.xds_tls_address.empty()) {
      for (auto [flag, value] : {std::pair{"--xds-tls-cert", &o.xds_tls_cert},
                                 std::pair{"--xds-tls-key", &o.xds_tls_key},
                                 std::pair{"--xds-client-ca", &o.xds_client_ca}})
        if (value->empty()) {
          out.result
              = {parse_outcome::error, std::string{flag} + " is required with --xds-tls-address"};
          return out;
        }
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
