#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <variant>

#include "ca/signer.hpp"
#include "cmd/ambientd/options.hpp"
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
};

/// The names istiod's serving certificate carries (istiod, istiod-remote and istio-pilot in the
/// system namespace, `.svc`), plus `--xds-extra-sans` (istiod's ISTIOD_CUSTOM_HOST).
std::vector<std::string> serving_dns_names(const ambientd_options& opts);

/// Loads the plugged-in CA from --cacerts-dir (istiod's /etc/cacerts: ca-cert.pem, ca-key.pem,
/// cert-chain.pem, root-cert.pem) when it holds ca-key.pem, else makes a self-signed root for the
/// trust domain; then issues the 15012 serving certificate unless --xds-tls-cert names one. A
/// string is a start-up error (a plugged-in CA that does not load names the file and problem).
std::variant<ca_setup, std::string> setup_ca(const ambientd_options& opts,
                                             const std::string& trust_domain);

/// Removes the private directory of a setup (at exit).
void remove_ca_files(const ca_setup& setup);

} // namespace ambient::cmd
