#pragma once

#include <optional>
#include <string>
#include <variant>

#include "kube/kubeconfig.hpp"

namespace ambient::kube {

/// How to reach and authenticate to one API server; TLS material stays in memory.
struct connection_settings {
  std::string server; ///< "https://host:port"
  std::string ca_pem;
  bool insecure_skip_tls_verify = false;
  std::string tls_server_name; ///< name to verify (and send as SNI) instead of the URL's host
  std::string token;
  std::string client_cert_pem;
  std::string client_key_pem;
  /// A bearer token file (a projected service-account token). It is read when the client is
  /// added and again every client_limits::token_file_refresh, as client-go does, so rotated tokens
  /// are used.
  std::string token_file;
};

/// Turns a sanitised kubeconfig into transport settings. Files the kubeconfig names (present only
/// when the operator allowed them) are read now; a token file is also re-read later. An oidc auth
/// provider authenticates with its id-token as a bearer token; exec plugins and other auth
/// providers are not supported by this transport and give an error naming them, as does a file
/// that cannot be read.
std::variant<connection_settings, kubeconfig_error> to_connection_settings(const rest_config& rc);

/// The config cluster's credentials inside a pod, as client-go's rest.InClusterConfig finds them:
/// KUBERNETES_SERVICE_HOST/PORT and the service account's token and CA under `sa_dir`. Returns
/// nullopt when not running in a pod (no KUBERNETES_SERVICE_HOST), an error when the service
/// account files are missing.
std::optional<std::variant<rest_config, kubeconfig_error>>
in_cluster_config(const std::string& sa_dir = "/var/run/secrets/kubernetes.io/serviceaccount");

/// Reads a whole file, or nullopt when it cannot be read.
std::optional<std::string> read_file(const std::string& path);

} // namespace ambient::kube
