#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <variant>

namespace ambient::kube {

/// Kubeconfig features refused by default (istiod's sanitising) that --insecure-kubeconfig-options
/// can allow. The flag takes a comma-separated list of these names:
/// - `exec`: `users[].user.exec`, a credential plugin command (the 2021 istiod RCE vector);
/// - `authProvider`: `users[].user.auth-provider` other than `oidc` (which is always allowed);
/// - `tokenFile`: `users[].user.tokenFile`, a token read from a local file;
/// - `clientKey`: `users[].user.client-key`, a key read from a local file;
/// - `clientCertificate`: `users[].user.client-certificate`, a certificate read from a local file;
/// - `certificateAuthority`: `clusters[].cluster.certificate-authority`, a CA read from a local
///   file (istiod allows this one; ambientd refuses every file path by default).
enum class kubeconfig_option : uint8_t {
  exec,
  auth_provider,
  token_file,
  client_key_file,
  client_cert_file,
  ca_file,
};

/// Returns the option spelled `name` as the flag spells it (e.g. "authProvider"), or nullopt.
std::optional<kubeconfig_option> parse_kubeconfig_option(std::string_view name);

/// Returns the flag spelling of `opt`, the inverse of parse_kubeconfig_option.
std::string_view to_string(kubeconfig_option opt);

/// Which refused-by-default kubeconfig features the operator allowed.
struct kubeconfig_policy {
  std::set<kubeconfig_option> allowed;
};

/// What ambientd needs to reach one cluster, resolved from the current context.
struct rest_config {
  std::string server; ///< https://host:port
  std::string ca_pem; ///< decoded certificate-authority-data (empty: system roots, or none if
                      ///< insecure_skip_tls_verify)
  bool insecure_skip_tls_verify = false;
  std::string tls_server_name;
  std::string token; ///< bearer token: `token`, or the oidc auth provider's `config.id-token`
  std::string client_cert_pem;
  std::string client_key_pem;
  std::string token_file;       ///< only when allowed by the policy
  std::string client_cert_file; ///< only when allowed by the policy
  std::string client_key_file;  ///< only when allowed by the policy
  std::string ca_file;          ///< only when allowed by the policy
  bool uses_exec = false;       ///< only when allowed; recorded, never run here
  /// `oidc` (its id-token is `token`), or any name when allowed (recorded, never run here).
  bool uses_auth_provider = false;
  std::string auth_provider_name; ///< set when uses_auth_provider
  std::string context_name;
  std::string cluster_name;
  std::string user_name;
  std::string default_namespace; ///< the context's namespace, "default" when unset (as client-go)
};

/// Why a kubeconfig was refused. The message names the cluster id and the field path, never a
/// token, key or certificate.
struct kubeconfig_error {
  std::string message;
};

/// Largest kubeconfig accepted (a Secret cannot hold more than 1 MiB anyway).
inline constexpr size_t max_kubeconfig_size = 1024 * 1024;

/// Parses and sanitises a kubeconfig for cluster `cluster_id` (used only in messages). Every
/// cluster and user entry is checked, as client-go's validation and istiod's sanitising do; the
/// current context picks the one returned.
std::variant<rest_config, kubeconfig_error> parse_kubeconfig(std::string_view yaml_text,
                                                             std::string_view cluster_id,
                                                             const kubeconfig_policy& policy);

/// Parses the value of --insecure-kubeconfig-options (comma-separated option names, blanks and
/// empty items ignored); an unknown name is an error listing the known ones.
std::variant<kubeconfig_policy, kubeconfig_error> parse_kubeconfig_policy(std::string_view flag);

} // namespace ambient::kube
