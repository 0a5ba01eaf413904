#pragma once

#include <string>
#include <string_view>

#include "base/openssl_ptr.hpp"

/// Internal to xds/'s TLS code: PEM text read with OpenSSL, whose errors are reported once and
/// never left queued for an unrelated call.
namespace ambient::xds {

/// " (<reason>)" for OpenSSL's oldest queued error, or ""; clears the queue either way so a
/// failure here never shows up in a later, unrelated OpenSSL call on this thread.
std::string take_openssl_error();

/// A read-only memory BIO over `text`; null when OpenSSL cannot take it. Clears stale errors first,
/// so the errors a caller then reports are its own.
base::bio_ptr memory_bio(std::string_view text);

/// The first certificate in `pem`, or null (with OpenSSL's error queued).
base::x509_ptr parse_cert(std::string_view pem);

} // namespace ambient::xds
