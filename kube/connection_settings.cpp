#include "kube/connection_settings.hpp"

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace ambient::kube {

std::variant<connection_settings, kubeconfig_error> to_connection_settings(const rest_config& rc) {
  auto refuse = [&](const char* what) {
    return kubeconfig_error{"context " + rc.context_name + ": " + what
                            + " credentials are allowed by policy but not supported by ambientd's "
                              "transport; use inline data"};
  };
  if (rc.uses_exec)
    return refuse("exec");
  // oidc authenticates with its id-token, which parse_kubeconfig put in `token`.
  if (rc.uses_auth_provider && rc.auth_provider_name != "oidc")
    return refuse("auth-provider");
  connection_settings out{rc.server,          rc.ca_pem, rc.insecure_skip_tls_verify,
                          rc.tls_server_name, rc.token,  rc.client_cert_pem,
                          rc.client_key_pem,  {}};
  auto load = [&](const std::string& path, std::string& into,
                  const char* what) -> std::optional<kubeconfig_error> {
    if (path.empty())
      return std::nullopt;
    auto data = read_file(path);
    if (!data)
      return kubeconfig_error{"context " + rc.context_name + ": cannot read " + what + " file "
                              + path};
    into = std::move(*data);
    return std::nullopt;
  };
  std::string token_now;
  for (auto err : {load(rc.ca_file, out.ca_pem, "certificate-authority"),
                   load(rc.client_cert_file, out.client_cert_pem, "client-certificate"),
                   load(rc.client_key_file, out.client_key_pem, "client-key"),
                   load(rc.token_file, token_now, "tokenFile")})
    if (err)
      return *err;
  if (!rc.token_file.empty()) {
    out.token_file = rc.token_file; // read in add_client, and again when it rotates
    out.token.clear();
  }
  return out;
}

std::optional<std::string> read_file(const std::string& path) {
  std::ifstream in{path, std::ios::binary};
  if (!in)
    return std::nullopt;
  std::ostringstream buf;
  buf << in.rdbuf();
  if (in.bad())
    return std::nullopt;
  return std::move(buf).str();
}

std::optional<std::variant<rest_config, kubeconfig_error>>
in_cluster_config(const std::string& sa_dir) {
  const char* host = std::getenv("KUBERNETES_SERVICE_HOST");
  const char* port = std::getenv("KUBERNETES_SERVICE_PORT");
  if (host == nullptr || *host == '\0')
    return std::nullopt;
  if (port == nullptr || *port == '\0')
    return kubeconfig_error{"in-cluster: KUBERNETES_SERVICE_HOST is set but "
                            "KUBERNETES_SERVICE_PORT is not"};
  std::string h = host;
  if (h.find(':') != std::string::npos)
    h = "[" + h + "]"; // an IPv6 service address
  rest_config rc;
  rc.server = "https://" + h + ":" + port;
  rc.token_file = sa_dir + "/token";
  rc.ca_file = sa_dir + "/ca.crt";
  rc.context_name = "in-cluster";
  rc.default_namespace = "default";
  for (const auto& f : {rc.token_file, rc.ca_file})
    if (!read_file(f))
      return kubeconfig_error{"in-cluster: cannot read service account file " + f};
  return rc;
}

} // namespace ambient::kube
