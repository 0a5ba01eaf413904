#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "base/openssl_ptr.hpp"
#include "ca/ca_error.hpp"

namespace ambient::ca {

/// Bounds on an untrusted CSR.
struct csr_limits {
  /// Larger PEM text is refused unparsed (csr_too_large).
  size_t max_bytes = 64 * 1024;
};

/// What the CA takes from a CSR that passed check_csr: its key and the URI SANs it asks for.
struct csr_info {
  /// The public key the certificate will certify.
  base::pkey_ptr public_key;
  /// The request itself; issue copies its encoded public key into the certificate.
  base::x509_req_ptr request;
  /// The URI SANs of the CSR's subjectAltName extension, in order (often the caller's SPIFFE ID).
  std::vector<std::string> uri_sans;
  /// The key, as an error message would name it: "EC P-256", "RSA-2048".
  std::string key_description;
};

/// Parses and checks an untrusted CSR: at most `limits.max_bytes`, exactly one PEM block of type
/// CERTIFICATE REQUEST holding one DER request, a self-signature that verifies, and an EC P-256 /
/// P-384 or RSA >= 2048 key. Anything else is an error whose message says what is wrong, e.g.
/// "CSR key is RSA-1024; need RSA >= 2048 or EC P-256/P-384". Never throws for bad input.
result<csr_info> check_csr(std::string_view pem, const csr_limits& limits = {});

} // namespace ambient::ca
