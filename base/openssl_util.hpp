#pragma once

#include <string>
#include <vector>

#include <openssl/types.h>

#include "base/openssl_ptr.hpp"

namespace ambient::base {

/// Throws a std::runtime_error naming the failed step ("openssl: X509_sign failed: ...") and
/// OpenSSL's most recent error, and clears OpenSSL's error queue.
[[noreturn]] void openssl_fail(const std::string& step);

/// Calls openssl_fail(step) when an OpenSSL return code `rc` says the call failed (rc <= 0).
void openssl_check(int rc, const std::string& step);

/// A read-only memory BIO over `text` (which must outlive it).
bio_ptr memory_bio(const std::string& text);

/// What a memory BIO holds.
std::string bio_contents(BIO* bio);

/// The PEM text of a certificate.
std::string to_pem(X509* cert);

/// The PEM text (PKCS#8) of a private key.
std::string to_pem(EVP_PKEY* key);

/// The first certificate in PEM text; null when there is none (OpenSSL's error queue says why).
x509_ptr parse_cert(const std::string& pem);

/// The private key in PEM text; null when there is none.
pkey_ptr parse_key(const std::string& pem);

/// The URI entries of a subjectAltName, in order (other kinds of name are skipped).
std::vector<std::string> uri_names(const GENERAL_NAMES* names);

} // namespace ambient::base
