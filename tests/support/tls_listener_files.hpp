#pragma once

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>

#include "sim/pki.hpp"
#include "xds/server_credentials.hpp"

/// The TLS listener's files as the xDS integration tests write them: a serving certificate for
/// "localhost" from a test CA, its key, and the CA as the client bundle.
namespace ambient::test {

/// Writes `text` to `p`; returns the path.
inline std::string write_file(const std::filesystem::path& p, const std::string& text) {
  std::ofstream{p} << text;
  return p.string();
}

/// Server credentials from `ca` written into `dir` (cert.pem, key.pem, ca.pem), re-read every
/// `reload`.
inline xds::server_credentials_result localhost_credentials(const sim::certificate_authority& ca,
                                                            const std::filesystem::path& dir,
                                                            std::chrono::seconds reload) {
  auto serving = ca.issue_server("ambientd", {"localhost"}, {"127.0.0.1"});
  return xds::make_server_credentials({write_file(dir / "cert.pem", serving.cert_pem),
                                       write_file(dir / "key.pem", serving.key_pem),
                                       write_file(dir / "ca.pem", ca.cert_pem())},
                                      reload);
}

} // namespace ambient::test
