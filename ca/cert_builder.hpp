#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "base/openssl_ptr.hpp"

/// The steps every certificate the CA makes shares: keys, a fresh certificate with a random serial
/// and a validity window, extensions, SANs, the SHA-256 signature, and reading times back. These
/// are the CA's own operations on trusted values: an OpenSSL failure throws std::runtime_error
/// naming the step (base::openssl_fail); the public functions of ca/ turn it into errc::internal.
namespace ambient::ca {

/// The key types the CA generates.
enum class key_kind {
  rsa_2048, ///< istiod's self-signed default (CITADEL_SELF_SIGNED_CA_RSA_KEY_SIZE)
  ec_p256,  ///< faster to sign with; what ztunnel uses for its own keys
};

/// A new private key of the given kind.
base::pkey_ptr generate_key(key_kind kind);

/// A v3 certificate with a random 128-bit positive serial, issued by `issuer_name` (null: set
/// later), valid from `not_before` to `not_after`. Subject empty; no key, no extensions; unsigned.
base::x509_ptr new_certificate(const X509_NAME* issuer_name,
                               std::chrono::system_clock::time_point not_before,
                               std::chrono::system_clock::time_point not_after);

/// Sets the certificate's public key from a key object (OpenSSL 3.0 encodes it: ~0.2 ms).
void set_public_key(X509* cert, EVP_PKEY* key);

/// Sets the certificate's public key by copying an already encoded SubjectPublicKeyInfo (a CSR's):
/// the same bytes, without OpenSSL 3.0's slow encoder.
void copy_public_key(X509* cert, const X509_PUBKEY* from);

/// Adds an extension written in OpenSSL's config syntax ("critical,CA:FALSE"); `issuer` is the
/// certificate whose key identifier an authorityKeyIdentifier copies.
void add_extension(X509* cert, X509* issuer, int nid, const char* value);

/// Adds the subjectAltName extension with `values` as names of GENERAL_NAME type `type` (GEN_URI
/// or GEN_DNS), critical or not.
void add_subject_alt_names(X509* cert, int type, const std::vector<std::string>& values,
                           bool critical);

/// Adds the subject key identifier (SHA-1 of the public key bits, as OpenSSL's "hash") and, when
/// `issuer` has a subject key identifier, the authority key identifier naming it.
void add_key_identifiers(X509* cert, X509* issuer);

/// Signs `cert` with `key` over SHA-256 (PKCS#1 v1.5 for RSA, ECDSA for EC keys).
void sign_certificate(X509* cert, EVP_PKEY* key);

/// A certificate time as a time point (second precision).
std::chrono::system_clock::time_point to_time_point(const ASN1_TIME* t);

/// Every certificate of a PEM text, in order; other PEM blocks are skipped. `ok` is false (and
/// the list empty) when a CERTIFICATE block does not parse.
struct parsed_certs {
  std::vector<base::x509_ptr> certs;
  bool ok = true;
};
parsed_certs parse_certs(std::string_view pem);

/// The URI SANs of a certificate (empty when it has none).
std::vector<std::string> uri_sans(X509* cert);

} // namespace ambient::ca
