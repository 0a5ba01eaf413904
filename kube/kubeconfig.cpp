#include "kube/kubeconfig.hpp"

#include <map>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "kube/kubeconfig_yaml.hpp"

namespace ambient::kube {

namespace {

using yaml_fields::data_field;
using yaml_fields::entries;
using yaml_fields::entry;
using yaml_fields::field;
using yaml_fields::file_field;
using yaml_fields::problem;
using yaml_fields::show;
using yaml_fields::string_field;

/// The connection part of a cluster entry.
struct cluster_info {
  std::string server, ca_pem, ca_file, tls_server_name;
  bool insecure = false;
};

problem parse_cluster(const entry& e, const kubeconfig_policy& policy, cluster_info& c) {
  const auto path = "clusters[" + show(e.name) + "].cluster";
  const auto& m = e.body;
  if (auto p = string_field(m, "server", path, c.server))
    return p;
  if (c.server.empty())
    return path + ".server is missing";
  std::string scheme = c.server.substr(0, c.server.find("://") + 1);
  for (auto& ch : scheme)
    ch = static_cast<char>(ch >= 'A' && ch <= 'Z' ? ch - 'A' + 'a' : ch);
  if (scheme == "http:")
    return path + ".server uses plain http (ambientd requires https://)";
  if (scheme != "https:" || c.server.size() <= 8)
    return path + ".server must be an https:// URL";
  if (auto p = data_field(m, "certificate-authority-data", path, c.ca_pem))
    return p;
  if (auto p
      = file_field(m, "certificate-authority", path, policy, kubeconfig_option::ca_file, c.ca_file))
    return p;
  if (!c.ca_pem.empty() && !c.ca_file.empty())
    return path + " sets both certificate-authority-data and certificate-authority";
  if (auto n = field(m, "insecure-skip-tls-verify")) {
    if (!n->IsScalar() || !YAML::convert<bool>::decode(*n, c.insecure))
      return path + ".insecure-skip-tls-verify must be true or false";
  }
  if (c.insecure && (!c.ca_pem.empty() || !c.ca_file.empty()))
    return path + " sets insecure-skip-tls-verify together with a certificate authority";
  if (auto p = string_field(m, "tls-server-name", path, c.tls_server_name))
    return p;
  std::string proxy;
  if (auto p = string_field(m, "proxy-url", path, proxy))
    return p;
  if (!proxy.empty())
    return path + ".proxy-url is not supported";
  return std::nullopt;
}

/// The credential part of a user entry.
struct user_info {
  std::string token, token_file, cert_pem, cert_file, key_pem, key_file, provider;
  std::string id_token; ///< the oidc provider's config.id-token
  bool exec = false;
  std::vector<std::string_view> methods; ///< auth methods found, in a fixed order
};

/// The oidc provider's id-token, used as the bearer token as client-go's oidc plugin does while
/// the token is valid; ambientd never refreshes it (no call to the issuer).
problem parse_oidc(const YAML::Node& provider, const std::string& path, std::string& id_token) {
  auto config = field(provider, "config");
  if (config && !config->IsMap())
    return path + ".config must be a mapping";
  if (config)
    if (auto p = string_field(*config, "id-token", path + ".config", id_token))
      return p;
  if (id_token.empty())
    return path
           + ".config.id-token is missing (the oidc auth provider needs an id-token; "
             "ambientd does not refresh tokens)";
  return std::nullopt;
}

problem parse_user(const entry& e, const kubeconfig_policy& policy, user_info& u) {
  const auto path = "users[" + show(e.name) + "].user";
  const auto& m = e.body;
  const auto& allowed = policy.allowed;
  if (auto n = field(m, "exec")) {
    if (!allowed.contains(kubeconfig_option::exec))
      return path + ".exec is not allowed (allow with --insecure-kubeconfig-options=exec)";
    if (!n->IsMap())
      return path + ".exec must be a mapping";
    u.exec = true;
  }
  if (auto n = field(m, "auth-provider")) {
    if (!n->IsMap())
      return path + ".auth-provider must be a mapping";
    if (auto p = string_field(*n, "name", path + ".auth-provider", u.provider))
      return p;
    if (u.provider.empty())
      return path + ".auth-provider.name is missing";
    if (u.provider != "oidc" && !allowed.contains(kubeconfig_option::auth_provider))
      return path + ".auth-provider " + show(u.provider)
             + " is not allowed (allow with --insecure-kubeconfig-options=authProvider)";
    if (u.provider == "oidc")
      if (auto p = parse_oidc(*n, path + ".auth-provider", u.id_token))
        return p;
  }
  using opt = kubeconfig_option;
  if (auto p = file_field(m, "tokenFile", path, policy, opt::token_file, u.token_file))
    return p;
  if (auto p
      = file_field(m, "client-certificate", path, policy, opt::client_cert_file, u.cert_file))
    return p;
  if (auto p = file_field(m, "client-key", path, policy, opt::client_key_file, u.key_file))
    return p;
  for (const char* key : {"username", "password"})
    if (field(m, key))
      return path + "." + key + " (basic auth) is not supported";
  for (const char* key : {"as", "as-uid", "as-groups", "as-user-extra"})
    if (field(m, key))
      return path + "." + key + " (impersonation) is not supported";
  if (auto p = string_field(m, "token", path, u.token))
    return p;
  if (auto p = data_field(m, "client-certificate-data", path, u.cert_pem))
    return p;
  if (auto p = data_field(m, "client-key-data", path, u.key_pem))
    return p;
  if (!u.token.empty() && !u.token_file.empty())
    return path + " sets both token and tokenFile";
  if (!u.cert_pem.empty() && !u.cert_file.empty())
    return path + " sets both client-certificate-data and client-certificate";
  if (!u.key_pem.empty() && !u.key_file.empty())
    return path + " sets both client-key-data and client-key";
  const bool has_cert = !u.cert_pem.empty() || !u.cert_file.empty();
  const bool has_key = !u.key_pem.empty() || !u.key_file.empty();
  if (has_cert && !has_key)
    return path + " has a client certificate but no client key";
  if (has_key && !has_cert)
    return path + " has a client key but no client certificate";
  if (!u.token.empty() || !u.token_file.empty())
    u.methods.emplace_back("token");
  if (has_cert)
    u.methods.emplace_back("client certificate");
  if (u.exec)
    u.methods.emplace_back("exec");
  if (!u.provider.empty())
    u.methods.emplace_back("auth-provider");
  if (u.methods.size() > 1)
    return path + " has two auth methods (" + std::string{u.methods[0]} + " and "
           + std::string{u.methods[1]} + "); keep one";
  return std::nullopt;
}

/// Everything after YAML parsing; may throw yaml-cpp exceptions, caught by the caller.
problem resolve(const YAML::Node& root, const kubeconfig_policy& policy, rest_config& out) {
  if (!root.IsDefined() || root.IsNull())
    return std::string{"kubeconfig is empty"};
  if (!root.IsMap())
    return std::string{"kubeconfig is not a mapping"};
  std::map<std::string, entry> clusters, users, contexts;
  if (auto p = entries(root, "clusters", "cluster", clusters))
    return p;
  if (auto p = entries(root, "users", "user", users))
    return p;
  if (auto p = entries(root, "contexts", "context", contexts))
    return p;
  std::map<std::string, cluster_info> cluster_infos;
  for (const auto& [name, e] : clusters)
    if (auto p = parse_cluster(e, policy, cluster_infos[name]))
      return p;
  std::map<std::string, user_info> user_infos;
  for (const auto& [name, e] : users)
    if (auto p = parse_user(e, policy, user_infos[name]))
      return p;
  if (auto n = field(root, "current-context")) {
    if (!n->IsScalar())
      return std::string{"current-context must be a string"};
    out.context_name = n->Scalar();
  }
  if (out.context_name.empty())
    return std::string{"current-context is missing"};
  auto ctx = contexts.find(out.context_name);
  if (ctx == contexts.end())
    return "current-context names \"" + show(out.context_name)
           + "\" but contexts has no such entry";
  const auto path = "contexts[" + show(out.context_name) + "].context";
  const auto& cm = ctx->second.body;
  if (auto p = string_field(cm, "cluster", path, out.cluster_name))
    return p;
  if (out.cluster_name.empty())
    return path + ".cluster is missing";
  if (auto p = string_field(cm, "user", path, out.user_name))
    return p;
  if (out.user_name.empty())
    return path + ".user is missing";
  if (auto p = string_field(cm, "namespace", path, out.default_namespace))
    return p;
  if (out.default_namespace.empty())
    out.default_namespace = "default";
  auto ci = cluster_infos.find(out.cluster_name);
  if (ci == cluster_infos.end())
    return path + ".cluster names \"" + show(out.cluster_name)
           + "\" but clusters has no such entry";
  auto ui = user_infos.find(out.user_name);
  if (ui == user_infos.end())
    return path + ".user names \"" + show(out.user_name) + "\" but users has no such entry";
  auto& c = ci->second;
  auto& u = ui->second;
  if (u.methods.empty())
    return "users[" + show(out.user_name) + "].user has no credentials (need token or"
           + " client-certificate-data and client-key-data)";
  out.server = std::move(c.server);
  out.ca_pem = std::move(c.ca_pem);
  out.ca_file = std::move(c.ca_file);
  out.insecure_skip_tls_verify = c.insecure;
  out.tls_server_name = std::move(c.tls_server_name);
  out.token = u.id_token.empty() ? std::move(u.token) : std::move(u.id_token);
  out.token_file = std::move(u.token_file);
  out.client_cert_pem = std::move(u.cert_pem);
  out.client_cert_file = std::move(u.cert_file);
  out.client_key_pem = std::move(u.key_pem);
  out.client_key_file = std::move(u.key_file);
  out.uses_exec = u.exec;
  out.uses_auth_provider = !u.provider.empty();
  out.auth_provider_name = std::move(u.provider);
  return std::nullopt;
}

} // namespace

std::variant<rest_config, kubeconfig_error> parse_kubeconfig(std::string_view yaml_text,
                                                             std::string_view cluster_id,
                                                             const kubeconfig_policy& policy) {
  const auto fail = [&](const std::string& msg) {
    return kubeconfig_error{"cluster " + show(cluster_id) + ": " + msg};
  };
  if (yaml_text.size() > max_kubeconfig_size)
    return fail("kubeconfig is larger than 1 MiB");
  // yaml-cpp messages may quote the input, so only the position is reported.
  try {
    const YAML::Node root = YAML::Load(std::string{yaml_text});
    rest_config out;
    if (auto p = resolve(root, policy, out))
      return fail(*p);
    return out;
  } catch (const YAML::ParserException& e) {
    return fail("kubeconfig is not valid YAML (line " + std::to_string(e.mark.line + 1) + " column "
                + std::to_string(e.mark.column + 1) + ")");
  } catch (const YAML::Exception&) {
    return fail("kubeconfig could not be read");
  }
}

} // namespace ambient::kube
