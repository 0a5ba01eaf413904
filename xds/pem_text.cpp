#include "xds/pem_text.hpp"

#include <climits>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>

namespace ambient::xds {

std::string take_openssl_error() {
  std::string out;
  if (auto code = ERR_get_error(); code != 0) {
    const char* reason = ERR_reason_error_string(code);
    out = std::string{" ("} + (reason != nullptr ? reason : "unknown error") + ")";
  }
  ERR_clear_error();
  return out;
}

/// A read-only memory BIO over `text`; null when OpenSSL cannot take it. Clears stale errors first,
/// so the errors a caller then reports are its own.
base::bio_ptr memory_bio(std::string_view text) {
  ERR_clear_error();
  if (text.size() > static_cast<size_t>(INT_MAX))
    return {};
  return base::bio_ptr{BIO_new_mem_buf(text.data(), static_cast<int>(text.size()))};
}

base::x509_ptr parse_cert(std::string_view pem) {
  auto bio = memory_bio(pem);
  return bio ? base::x509_ptr{PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)} : nullptr;
}

} // namespace ambient::xds
