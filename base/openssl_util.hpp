#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <openssl/types.h>

#include "base/openssl_ptr.hpp"

namespace ambient::base {

/// Throws a std::runtime_error naming the failed step ("openssl: X509_sign failed: ...") and
/// OpenSSL's most recent error, and clears OpenSSL's error queue.
[[noreturn]] void openssl_fail(const std::string& step);

/// Calls openssl_fail(step) when an OpenSSL return code `rc` says the call failed (rc <= 0).
void openssl_check(int rc, const std::string& step);

/// " (<reason>)" for OpenSSL's oldest queued error, or ""; clears the queue either way so a
/// failure never shows up in a later, unrelated OpenSSL call on this thread.
std::string take_openssl_error();

/// A read-only memory BIO over `text` (which must outlive it); null when OpenSSL cannot take it
/// (over INT_MAX bytes, or out of memory). Clears stale errors first, so the errors a caller then
/// reports are its own.
bio_ptr memory_bio(std::string_view text);

/// What a memory BIO holds.
std::string bio_contents(BIO* bio);

/// The PEM text of a certificate.
std::string to_pem(X509* cert);

/// The PEM text (PKCS#8) of a private key.
std::string to_pem(EVP_PKEY* key);

/// The first certificate in PEM text; null when there is none (OpenSSL's error queue says why:
/// take_openssl_error).
x509_ptr parse_cert(std::string_view pem);

/// The private key in PEM text; null when there is none.
pkey_ptr parse_key(std::string_view pem);

/// The URI entries of a subjectAltName, in order (other kinds of name are skipped).
std::vector<std::string> uri_names(const GENERAL_NAMES* names);

} // namespace ambient::base
