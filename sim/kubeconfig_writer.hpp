#pragma once

#include <string>

namespace ambient::sim {

/// What goes into one cluster's kubeconfig: inline CA, and either a bearer token or a client
/// certificate.
struct kubeconfig_spec {
  /// Used for the cluster, user ("<name>-admin") and context names.
  std::string cluster_name;
  /// The API server URL, e.g. "https://127.0.0.1:PORT".
  std::string server;
  /// The CA that signed the server's certificate, PEM.
  std::string ca_pem;
  /// Non-empty → users[].user.token.
  std::string token;
  /// Non-empty (with the key) → client-certificate-data / client-key-data.
  std::string client_cert_pem;
  std::string client_key_pem;
  /// Optional: the name to verify the server certificate against instead of the URL's host.
  std::string tls_server_name;
  /// Optional default namespace in the context.
  std::string namespace_;
};

/// Renders a complete kubeconfig (apiVersion v1, kind Config, clusters, users, contexts,
/// current-context) with certificate-authority-data etc. base64-encoded inline.
std::string write_kubeconfig(const kubeconfig_spec& spec);

} // namespace ambient::sim
