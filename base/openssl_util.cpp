#include "base/openssl_util.hpp"

#include <array>
#include <climits>
#include <stdexcept>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

namespace ambient::base {

[[noreturn]] void openssl_fail(const std::string& step) {
  std::string msg = "openssl: " + step + " failed";
  if (auto code = ERR_get_error(); code != 0) {
    std::array<char, 256> buf{};
    ERR_error_string_n(code, buf.data(), buf.size());
    msg += ": ";
    msg += buf.data();
  }
  ERR_clear_error();
  throw std::runtime_error(msg);
}

void openssl_check(int rc, const std::string& step) {
  if (rc <= 0)
    openssl_fail(step);
}

std::string take_openssl_error() {
  std::string out;
  if (auto code = ERR_get_error(); code != 0) {
    const char* reason = ERR_reason_error_string(code);
    out = std::string{" ("} + (reason != nullptr ? reason : "unknown error") + ")";
  }
  ERR_clear_error();
  return out;
}

bio_ptr memory_bio(std::string_view text) {
  ERR_clear_error();
  if (text.size() > static_cast<size_t>(INT_MAX))
    return {};
  return bio_ptr{BIO_new_mem_buf(text.data(), static_cast<int>(text.size()))};
}

std::string bio_contents(BIO* bio) {
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  if (len < 0 || data == nullptr)
    openssl_fail("BIO_get_mem_data");
  return std::string(data, static_cast<size_t>(len));
}

std::string to_pem(X509* cert) {
  bio_ptr bio{BIO_new(BIO_s_mem())};
  if (!bio)
    openssl_fail("BIO_new");
  openssl_check(PEM_write_bio_X509(bio.get(), cert), "PEM_write_bio_X509");
  return bio_contents(bio.get());
}

std::string to_pem(EVP_PKEY* key) {
  bio_ptr bio{BIO_new(BIO_s_mem())};
  if (!bio)
    openssl_fail("BIO_new");
  openssl_check(PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr),
                "PEM_write_bio_PrivateKey");
  return bio_contents(bio.get());
}

x509_ptr parse_cert(std::string_view pem) {
  auto bio = memory_bio(pem);
  return bio ? x509_ptr{PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)} : nullptr;
}

pkey_ptr parse_key(std::string_view pem) {
  auto bio = memory_bio(pem);
  return bio ? pkey_ptr{PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr)} : nullptr;
}

std::vector<std::string> uri_names(const GENERAL_NAMES* names) {
  std::vector<std::string> out;
  for (int i = 0; i < sk_GENERAL_NAME_num(names); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(names, i);
    if (name->type != GEN_URI)
      continue;
    const ASN1_STRING* uri = name->d.uniformResourceIdentifier;
    out.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(uri)),
                     static_cast<size_t>(ASN1_STRING_length(uri)));
  }
  return out;
}

} // namespace ambient::base
