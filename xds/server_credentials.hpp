#pragma once

#include <chrono>
#include <memory>
#include <string>

#include <grpcpp/security/server_credentials.h>

/// The TLS xDS listener's server credentials: its PEM files checked up front, then served (and
/// re-read when they rotate) by gRPC, with client certificates verified when given (istiod's
/// 15012: ztunnel sends none and proves itself with a token) or required.
namespace ambient::xds {

/// Files of the mTLS xDS listener, all PEM.
struct tls_files {
  std::string cert_file; ///< the server certificate, optionally followed by its chain
  std::string key_file;  ///< the server certificate's private key (unencrypted)
  std::string ca_file;   ///< the CA bundle client certificates are verified against
};

/// Whether the listener asks for client certificates or insists on them.
enum class client_certificates {
  optional, ///< verified when sent, as istiod (callers without one need a token)
  required, ///< the handshake fails without one
};

/// Server credentials, or why they could not be built.
struct server_credentials_result {
  std::shared_ptr<grpc::ServerCredentials> creds; ///< null on error
  std::string error;                              ///< empty on success; names the file
};

/// Checks the three PEM files and builds gRPC TLS server credentials that verify client
/// certificates against the CA bundle, and require them when `mode` says so. Returns an error
/// naming the file when one is unreadable, empty, too large, or not PEM of the right kind, or when
/// the key does not match the certificate. Never quotes key material. The credentials re-read the
/// files every `reload_every` (gRPC's file watcher): a rotated certificate, key or CA bundle is
/// served to new connections without a restart; a pair that does not match while it is being
/// replaced is skipped and the previous one kept.
server_credentials_result
make_server_credentials(const tls_files& files,
                        std::chrono::seconds reload_every = std::chrono::seconds{60},
                        client_certificates mode = client_certificates::optional);

} // namespace ambient::xds
