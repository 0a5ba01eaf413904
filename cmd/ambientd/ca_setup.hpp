#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <variant>

#include "ca/ca_keeper_core.hpp"
#include "ca/signer.hpp"
#include "cmd/ambientd/options.hpp"
#include "kube/connection_settings.hpp"
#include "kube/transport.hpp"
#include "xds/server_credentials.hpp"

namespace ambient::cmd {

/// The built-in CA as start-up sets it up: the signer CreateCertificate uses and, when no serving
/// certificate was given, the 15012 certificate it issued (written to a private directory that
/// gRPC's file watcher serves).
struct ca_setup {
  std::shared_ptr<ca::signer> signer;
  std::string source; ///< where the signing certificate came from, for the start-up log
  /// The TLS listener's files, when the CA issued them; the options' files otherwise.
  std::optional<xds::tls_files> serving;
  std::filesystem::path dir; ///< the private directory of those files ("" when none)
  /// Where the CA's material lives, so the keeper reads it again from there.
  enum class origin { plugged_in, shared_secret, process } from = origin::process;
  /// The keeper's decisions, seeded with the material and listener certificate set up here.
  std::shared_ptr<ca::ca_keeper_core> keeper;
};

/// The files of a plugged-in CA directory (ca-cert.pem, ca-key.pem, cert-chain.pem,
/// root-cert.pem) that exist, by name; a string names a file that exists but cannot be read.
std::variant<std::map<std::string, std::string>, std::string>
read_cacerts(const std::filesystem::path& dir);

/// Writes what a keeper step changed of the TLS listener's files (certificate and key, or the CA
/// bundle client certificates are checked against), each replaced whole by a rename so gRPC's
/// file watcher never reads half a file. Returns "" or why not.
std::string write_listener_files(const xds::tls_files& files, const ca::keeper_step& step);

/// The names istiod's serving certificate carries (istiod, istiod-remote and istio-pilot in the
/// system namespace, `.svc`), plus `--xds-extra-sans` (istiod's ISTIOD_CUSTOM_HOST).
std::vector<std::string> serving_dns_names(const ambientd_options& opts);

/// Where a self-signed root is shared: the config cluster, reached through `transport`.
struct shared_root_store {
  kube::transport* transport = nullptr;
  kube::connection_settings settings;
};

/// Loads the plugged-in CA from --cacerts-dir (istiod's /etc/cacerts: ca-cert.pem, ca-key.pem,
/// cert-chain.pem, root-cert.pem) when it holds ca-key.pem. Else, with a config cluster (`store`),
/// uses the self-signed root of Secret istio-ca-secret in the system namespace, creating it when
/// there is none, as istiod does, so every replica and restart signs with one root (trying for
/// 30 s); without one, makes a root for this process. Then issues the 15012 serving certificate
/// unless --xds-tls-cert names one. A string is a start-up error (a plugged-in CA or Secret that
/// does not load, or a config cluster that cannot be read, names the problem).
std::variant<ca_setup, std::string> setup_ca(const ambientd_options& opts,
                                             const std::string& trust_domain,
                                             const std::optional<shared_root_store>& store);

/// Removes the private directory of a setup (at exit).
void remove_ca_files(const ca_setup& setup);

} // namespace ambient::cmd
