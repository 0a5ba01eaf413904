#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <grpcpp/security/auth_context.h>

/// Who may use the xDS service on the TLS listener: the SPIFFE IDs in client certificates (Istio's
/// workload identities, "spiffe://<trust-domain>/ns/<namespace>/sa/<service-account>") and an
/// allow-list of them, which applies to token identities as well (xds/caller_authenticator.hpp
/// decides; the listener's credentials are xds/server_credentials.hpp).
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

/// What a gRPC peer's transport says about who it is.
struct peer_certificate {
  bool over_tls = false;               ///< false on the plaintext listener: no identity applies
  std::vector<std::string> spiffe_ids; ///< of its verified client certificate; empty: none sent
  std::string error; ///< a certificate was sent but gives no SPIFFE ID (the reason); else empty
};

/// The SPIFFE IDs of a peer's client certificate from its transport properties. A transport
/// security type other than "ssl" or "tls" is the plaintext listener (`over_tls` false). Over TLS
/// a missing certificate is not an error (ztunnel sends none and proves itself with a token); a
/// certificate that does not parse or carries no SPIFFE ID is.
peer_certificate certificate_identity(std::string_view transport_security_type,
                                      const std::optional<std::string>& pem);

/// certificate_identity() over a gRPC auth context: reads its "transport_security_type" and
/// "x509_pem_cert" properties.
peer_certificate certificate_identity(const grpc::AuthContext& auth);

/// Whether a caller with these verified SPIFFE IDs may use the service: "" to allow, else the
/// reason naming every ID (for a PERMISSION_DENIED status and a log line).
std::string allow_list_refusal(const std::vector<std::string>& spiffe_ids,
                               const spiffe_allow_list& allow);

} // namespace ambient::xds
