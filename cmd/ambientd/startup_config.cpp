#include "cmd/ambientd/startup_config.hpp"

#include <unistd.h>

#include <iostream>
#include <random>
#include <stdexcept>

#include <fmt/format.h>

#include "xds/peer_identity.hpp"

namespace ambient::cmd {

std::variant<found_config, no_config, std::string> config_cluster(const ambientd_options& opts) {
  std::variant<kube::rest_config, kube::kubeconfig_error> parsed;
  std::string source;
  if (!opts.kubeconfig.empty()) {
    auto text = kube::read_file(opts.kubeconfig);
    if (!text)
      return "--kubeconfig: cannot read " + opts.kubeconfig;
    // The operator's own kubeconfig may use every local file it names; exec plugins and auth
    // providers are refused by the transport below.
    kube::kubeconfig_policy own;
    for (auto o : {kube::kubeconfig_option::token_file, kube::kubeconfig_option::client_key_file,
                   kube::kubeconfig_option::client_cert_file, kube::kubeconfig_option::ca_file})
      own.allowed.insert(o);
    parsed = kube::parse_kubeconfig(*text, opts.cluster_id, own);
    source = opts.kubeconfig;
  } else if (auto in_cluster = kube::in_cluster_config()) {
    parsed = std::move(*in_cluster);
    source = "in-cluster";
  } else {
    return no_config{};
  }
  if (auto* err = std::get_if<kube::kubeconfig_error>(&parsed))
    return "config cluster (" + source + "): " + err->message;
  auto& rc = std::get<kube::rest_config>(parsed);
  auto settings = kube::to_connection_settings(rc);
  if (auto* err = std::get_if<kube::kubeconfig_error>(&settings))
    return "config cluster (" + source + "): " + err->message;
  return found_config{rc, std::get<kube::connection_settings>(std::move(settings)), source};
}

std::variant<mesh::mesh_config, std::string> load_mesh_config(const ambientd_options& opts) {
  mesh::mesh_config cfg;
  if (!opts.mesh_config.empty()) {
    auto text = kube::read_file(opts.mesh_config);
    if (!text)
      return "--mesh-config: cannot read " + opts.mesh_config;
    auto parsed = mesh::parse_mesh_config(*text);
    if (auto* err = std::get_if<mesh::config_error>(&parsed))
      return "--mesh-config " + opts.mesh_config + ": " + err->message;
    cfg = std::get<mesh::mesh_config>(std::move(parsed));
    if (cfg.cluster_id != mesh::mesh_config{}.cluster_id && cfg.cluster_id != opts.cluster_id)
      return "--mesh-config " + opts.mesh_config + ": clusterId " + cfg.cluster_id
             + " differs from --cluster-id " + opts.cluster_id;
  }
  cfg.cluster_id = opts.cluster_id;
  cfg.revision = opts.revision;
  return cfg;
}

std::string replica_identity(const std::string& flag) {
  if (!flag.empty())
    return flag;
  if (const char* pod = std::getenv("POD_NAME"); pod != nullptr && *pod != '\0')
    return pod;
  char host[256] = {};
  ::gethostname(host, sizeof host - 1);
  return fmt::format("{}-{:06x}", host, std::random_device{}() & 0xffffff);
}

int check_config(const ambientd_options& opts) {
  if (!opts.kubeconfig.empty())
    if (auto local = config_cluster(opts); auto* err = std::get_if<std::string>(&local)) {
      std::cerr << "ambientd: " << *err << '\n';
      return 2;
    }
  if (auto mesh = load_mesh_config(opts); auto* err = std::get_if<std::string>(&mesh)) {
    std::cerr << "ambientd: " << *err << '\n';
    return 2;
  }
  try {
    xds::spiffe_allow_list::parse(opts.xds_allowed_spiffe_ids);
  } catch (const std::invalid_argument& e) {
    std::cerr << "ambientd: --xds-allowed-spiffe-ids: " << e.what() << '\n';
    return 2;
  }
  std::cout << "ambientd: configuration OK (cluster " << opts.cluster_id << ", system namespace "
            << opts.system_namespace << ", mesh config "
            << (opts.mesh_config.empty() ? std::string{"defaults"} : opts.mesh_config) << ")\n";
  return 0;
}

std::variant<tree_settings, std::string> read_tree_settings(const ambientd_options& opts,
                                                            kube::kubeconfig_policy policy) {
  auto local = config_cluster(opts);
  if (auto* err = std::get_if<std::string>(&local))
    return *err;
  auto mesh_cfg = load_mesh_config(opts);
  if (auto* err = std::get_if<std::string>(&mesh_cfg))
    return *err;
  tree_settings out{&opts, std::move(policy), std::make_shared<kube::transport>(),
                    std::get<mesh::mesh_config>(std::move(mesh_cfg)), std::nullopt};
  if (auto* found = std::get_if<found_config>(&local))
    out.config_cluster = std::move(*found);
  return out;
}

std::optional<int> answer_without_running(const ambientd_parse& parsed) {
  switch (parsed.result.outcome) {
    case parse_outcome::help:
      std::cout << parsed.usage;
      return 0;
    case parse_outcome::version:
      std::cout << parsed.version << '\n';
      return 0;
    case parse_outcome::error:
      std::cerr << "ambientd: " << parsed.result.message << '\n';
      return 2;
    case parse_outcome::run:
      break;
  }
  if (parsed.options.check_config)
    return check_config(parsed.options);
  return std::nullopt;
}

} // namespace ambient::cmd
