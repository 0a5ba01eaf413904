#pragma once

#include <chrono>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <grpcpp/security/auth_context.h>
#include <grpcpp/security/server_credentials.h>

/// Who may use the xDS service on the mTLS listener: the SPIFFE IDs in client certificates (Istio's
/// workload identities, "spiffe://<trust-domain>/ns/<namespace>/sa/<service-account>"), an
/// allow-list of them, and the server credentials that make gRPC verify client certificates.
namespace ambient::xds {

/// The URI SANs of a certificate, or why they could not be read.
struct uri_sans_result {
  std::vector<std::string> uris; ///< in certificate order
  std::string error;             ///< empty on success
  bool ok() const {
    return error.empty();
  }
};

/// The URI SANs of a PEM certificate (the first certificate in the text), in certificate order.
/// Text that is not a PEM certificate, or a certificate with a malformed subjectAltName, gives an
/// error; nothing throws.
uri_sans_result uri_sans_of_pem(std::string_view pem);

/// Which SPIFFE IDs may open xDS streams on the mTLS listener.
class spiffe_allow_list {
public:
  /// Entries are exact SPIFFE IDs ("spiffe://<trust-domain>/<path>") or prefixes ending in "/*"
  /// ("spiffe://cluster.local/ns/istio-system/*" allows every ID under that path, not the path
  /// itself). An empty list allows every verified peer. Throws std::invalid_argument naming the
  /// entry when one does not start with "spiffe://", has an empty trust domain, contains
  /// whitespace or a control character, or uses "*" anywhere but a trailing "/*".
  explicit spiffe_allow_list(std::vector<std::string> entries = {});

  /// Parses a comma-separated flag value (surrounding whitespace trimmed, empty entries ignored)
  /// with the same validation.
  static spiffe_allow_list parse(std::string_view comma_separated);

  /// Whether the list has no entries (and so allows every verified peer).
  bool empty() const;

  /// Whether any of `uris` that is a SPIFFE ID (starts with "spiffe://") matches an entry. The
  /// empty list allows any peer: true even when `uris` holds no SPIFFE ID.
  bool allows(const std::vector<std::string>& uris) const;

  /// The entries as given (after trimming, for parse()).
  const std::vector<std::string>& entries() const;

private:
  std::vector<std::string> entries_;
};

/// Decides from the properties of a gRPC peer whether it may use the xDS service. Returns an empty
/// string to allow, else the reason (for a PERMISSION_DENIED status and a log line). A transport
/// security type other than "ssl" or "tls" (the plaintext listener) is allowed; over TLS the leaf
/// certificate `pem` must be present and carry a SPIFFE ID (even when `allow` is empty), and that
/// ID must be allowed by `allow`.
std::string check_peer_properties(std::string_view transport_security_type,
                                  const std::optional<std::string>& pem,
                                  const spiffe_allow_list& allow);

/// check_peer_properties() over a gRPC auth context: reads its "transport_security_type" and
/// "x509_pem_cert" properties.
std::string check_peer(const grpc::AuthContext& auth, const spiffe_allow_list& allow);

/// Files of the mTLS xDS listener, all PEM.
struct tls_files {
  std::string cert_file; ///< the server certificate, optionally followed by its chain
  std::string key_file;  ///< the server certificate's private key (unencrypted)
  std::string ca_file;   ///< the CA bundle client certificates are verified against
};

/// Server credentials, or why they could not be built.
struct server_credentials_result {
  std::shared_ptr<grpc::ServerCredentials> creds; ///< null on error
  std::string error;                              ///< empty on success; names the file
};

/// Checks the three PEM files and builds gRPC TLS server credentials that require client
/// certificates and verify them against the CA bundle. Returns an error naming the file when one
/// is unreadable, empty, too large, or not PEM of the right kind, or when the key does not match
/// the certificate. Never quotes key material. The credentials re-read the files every
/// `reload_every` (gRPC's file watcher): a rotated certificate, key or CA bundle is served to new
/// connections without a restart; a pair that does not match while it is being replaced is
/// skipped and the previous one kept.
server_credentials_result make_server_credentials(const tls_files& files,
                                                  std::chrono::seconds reload_every
                                                  = std::chrono::seconds{60});

} // namespace ambient::xds
