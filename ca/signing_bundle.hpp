#pragma once

#include <string>
#include <vector>

#include "base/openssl_ptr.hpp"

namespace ambient::ca {

/// The CA's signing material: istiod's KeyCertBundle. Made by load_signing_bundle (checked) or
/// generate_root; immutable once made, shared read-only between signers.
struct signing_bundle {
  /// The signing private key.
  base::pkey_ptr key;
  /// The signing certificate (a CA; the root itself for a self-signed CA).
  base::x509_ptr cert;
  /// cert-chain.pem: the certificates between the signing certificate and the roots, in the
  /// operator's order (istiod's plugged-in layout lists the signing certificate and the root here
  /// too). Empty for a self-signed CA.
  std::vector<base::x509_ptr> chain;
  /// root-cert.pem exactly as stored: one or more roots (several while roots rotate).
  std::string roots_pem;
  /// The certificates of roots_pem, parsed.
  std::vector<base::x509_ptr> roots;
};

} // namespace ambient::ca
