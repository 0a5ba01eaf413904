#pragma once

#include <cstdint>
#include <string>
#include <variant>

/// The certificate authority's functional core: CSR checks, lifetimes, signing, and the CA's own
/// key and certificates. Pure: no gRPC, no Kubernetes, no clocks (`now` is an input).
namespace ambient::ca {

/// Why the CA refused a request or a key bundle.
enum class errc : uint8_t {
  bad_csr = 1,   ///< not one PEM CERTIFICATE REQUEST, or not DER inside
  csr_too_large, ///< the CSR text is over csr_limits::max_bytes
  bad_signature, ///< the CSR's self-signature does not verify
  weak_key,      ///< the CSR's key is not EC P-256/P-384 or RSA >= 2048
  foreign_san,   ///< the CSR asks for a URI SAN other than the caller's identity
  bad_identity,  ///< the identity to certify is not a spiffe:// URI
  bad_ttl,       ///< the requested lifetime is over the maximum (istiod's TTLError)
  ca_expired,    ///< the signing certificate has no lifetime left
  bad_bundle,    ///< the CA key, certificate, chain or roots are missing or inconsistent
  internal,      ///< OpenSSL failed while building or signing a certificate
};

/// A refusal: `message` says what is wrong in words an operator can act on (it never quotes a
/// private key).
struct error {
  errc code;
  std::string message;
};

/// A value or the reason there is none.
template <class T>
using result = std::variant<T, error>;

/// istiod's error type for the `citadel_server_csr_sign_err_count{type}` label of a refusal
/// (is:security/pkg/pki/error/error.go): "CSR_ERROR", "TTL_ERROR", "CA_NOT_READY" or
/// "CERT_GEN_ERROR".
inline const char* sign_error_type(errc code) {
  switch (code) {
    case errc::bad_csr:
    case errc::csr_too_large:
    case errc::bad_signature:
    case errc::weak_key:
    case errc::foreign_san:
      return "CSR_ERROR";
    case errc::bad_ttl:
      return "TTL_ERROR";
    case errc::ca_expired:
    case errc::bad_bundle:
      return "CA_NOT_READY";
    case errc::bad_identity:
    case errc::internal:
      break;
  }
  return "CERT_GEN_ERROR";
}

} // namespace ambient::ca
