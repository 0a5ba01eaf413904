#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace ambient::cmd {

/// A remote secret as YAML, or why it was not made (then `yaml` is empty).
struct remote_secret_result {
  std::string yaml;
  std::string error; ///< names the problem (the field path for a kubeconfig), never a credential

  /// Whether the secret was made.
  bool ok() const {
    return error.empty();
  }
};

/// Why `name` cannot be a remote cluster's ID, or nullopt when it can. The ID becomes part of the
/// Secret's name (`istio-remote-secret-NAME`, a DNS-1123 subdomain of at most 253 characters) and
/// its data key, so it must be lowercase letters, digits, '-' and '.', start and end with a letter
/// or digit, and have no empty or '-'-edged part between dots.
std::optional<std::string> check_cluster_name(std::string_view name);

/// Why `ns` cannot be a namespace (a DNS-1123 label), or nullopt when it can.
std::optional<std::string> check_namespace(std::string_view ns);

/// Builds the Secret `istioctl create-remote-secret` would print for cluster `name` in namespace
/// `ns`: label `istio/multiCluster: "true"`, annotation `networking.istio.io/cluster: NAME` and
/// `stringData.NAME` holding `kubeconfig_text` minified to its current context (that context, its
/// cluster and its user). A kubeconfig ambientd would refuse under its default policy (exec
/// plugins, non-oidc auth providers, files named by path, no current context, ...) is refused here
/// with ambientd's message, so a secret that would only fail later in ambientd is never made.
remote_secret_result make_remote_secret(std::string_view kubeconfig_text, std::string_view name,
                                        std::string_view ns);

} // namespace ambient::cmd
