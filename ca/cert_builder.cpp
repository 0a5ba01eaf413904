#include "ca/cert_builder.hpp"

#include <array>
#include <climits>
#include <cstring>
#include <ctime>
#include <memory>
#include <stdexcept>

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include "base/openssl_util.hpp"

namespace ambient::ca {

using base::openssl_check;
using base::openssl_fail;

base::pkey_ptr generate_key(key_kind kind) {
  base::pkey_ptr key;
  if (kind == key_kind::rsa_2048)
    key.reset(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{2048}));
  else
    key.reset(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  if (!key)
    openssl_fail(kind == key_kind::rsa_2048 ? "EVP_PKEY_Q_keygen(RSA 2048)"
                                            : "EVP_PKEY_Q_keygen(EC P-256)");
  return key;
}

base::x509_ptr new_certificate(const X509_NAME* issuer_name,
                               std::chrono::system_clock::time_point not_before,
                               std::chrono::system_clock::time_point not_after) {
  base::x509_ptr cert{X509_new()};
  if (!cert)
    openssl_fail("X509_new");
  openssl_check(X509_set_version(cert.get(), X509_VERSION_3), "X509_set_version");
  std::array<unsigned char, 16> serial{};
  openssl_check(RAND_bytes(serial.data(), static_cast<int>(serial.size())), "RAND_bytes(serial)");
  serial[15] |= 0x01; // never zero; BN_bin2bn reads the bytes as unsigned, so it is positive
  base::bignum_ptr bn{BN_bin2bn(serial.data(), static_cast<int>(serial.size()), nullptr)};
  if (!bn || !BN_to_ASN1_INTEGER(bn.get(), X509_get_serialNumber(cert.get())))
    openssl_fail("BN_to_ASN1_INTEGER(serial)");
  if (!ASN1_TIME_set(X509_getm_notBefore(cert.get()),
                     std::chrono::system_clock::to_time_t(not_before))
      || !ASN1_TIME_set(X509_getm_notAfter(cert.get()),
                        std::chrono::system_clock::to_time_t(not_after)))
    openssl_fail("ASN1_TIME_set(validity)");
  if (issuer_name != nullptr)
    openssl_check(X509_set_issuer_name(cert.get(), issuer_name), "X509_set_issuer_name");
  return cert;
}

void set_public_key(X509* cert, EVP_PKEY* key) {
  openssl_check(X509_set_pubkey(cert, key), "X509_set_pubkey");
}

void copy_public_key(X509* cert, const X509_PUBKEY* from) {
  ASN1_OBJECT* key_alg = nullptr;
  const unsigned char* bits = nullptr;
  int bits_len = 0;
  X509_ALGOR* algor = nullptr;
  openssl_check(X509_PUBKEY_get0_param(&key_alg, &bits, &bits_len, &algor, from),
                "X509_PUBKEY_get0_param");
  const ASN1_OBJECT* alg = nullptr;
  int param_type = V_ASN1_UNDEF;
  const void* param = nullptr;
  X509_ALGOR_get0(&alg, &param_type, &param, algor);
  void* param_copy = nullptr;
  if (param_type == V_ASN1_OBJECT)
    param_copy = OBJ_dup(static_cast<const ASN1_OBJECT*>(param));
  else if (param_type == V_ASN1_SEQUENCE)
    param_copy = ASN1_STRING_dup(static_cast<const ASN1_STRING*>(param));
  else if (param_type != V_ASN1_NULL && param_type != V_ASN1_UNDEF)
    throw std::runtime_error("openssl: unsupported public key algorithm parameter type");
  if (param_type != V_ASN1_NULL && param_type != V_ASN1_UNDEF && param_copy == nullptr)
    openssl_fail("copying the public key algorithm parameters");
  auto* bits_copy
      = static_cast<unsigned char*>(OPENSSL_memdup(bits, static_cast<size_t>(bits_len)));
  ASN1_OBJECT* alg_copy = OBJ_dup(alg);
  if (bits_copy == nullptr || alg_copy == nullptr
      || X509_PUBKEY_set0_param(X509_get_X509_PUBKEY(cert), alg_copy, param_type, param_copy,
                                bits_copy, bits_len)
             != 1) {
    OPENSSL_free(bits_copy);
    ASN1_OBJECT_free(alg_copy);
    if (param_type == V_ASN1_OBJECT)
      ASN1_OBJECT_free(static_cast<ASN1_OBJECT*>(param_copy));
    else
      ASN1_STRING_free(static_cast<ASN1_STRING*>(param_copy));
    openssl_fail("X509_PUBKEY_set0_param");
  }
}

void add_extension(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  base::extension_ptr ext{X509V3_EXT_nconf_nid(nullptr, &ctx, nid, value)};
  if (!ext)
    openssl_fail(std::string{"X509V3_EXT_nconf_nid("} + OBJ_nid2sn(nid) + "=" + value + ")");
  openssl_check(X509_add_ext(cert, ext.get(), -1),
                std::string{"X509_add_ext("} + OBJ_nid2sn(nid) + ")");
}

void add_subject_alt_names(X509* cert, int type, const std::vector<std::string>& values,
                           bool critical) {
  base::general_names_ptr names{sk_GENERAL_NAME_new_null()};
  if (!names)
    openssl_fail("sk_GENERAL_NAME_new_null");
  for (const auto& text : values) {
    ASN1_IA5STRING* value = ASN1_IA5STRING_new();
    if (value == nullptr || text.size() > static_cast<size_t>(INT_MAX)
        || !ASN1_STRING_set(value, text.data(), static_cast<int>(text.size()))) {
      ASN1_STRING_free(value);
      openssl_fail("ASN1_STRING_set(SAN)");
    }
    base::general_name_ptr name{GENERAL_NAME_new()};
    if (!name) {
      ASN1_STRING_free(value);
      openssl_fail("GENERAL_NAME_new");
    }
    GENERAL_NAME_set0_value(name.get(), type, value);
    if (sk_GENERAL_NAME_push(names.get(), name.get()) <= 0)
      openssl_fail("sk_GENERAL_NAME_push");
    name.release(); // owned by the stack now
  }
  openssl_check(X509_add1_ext_i2d(cert, NID_subject_alt_name, names.get(), critical ? 1 : 0,
                                  X509V3_ADD_DEFAULT),
                "X509_add1_ext_i2d(subjectAltName)");
}

void add_key_identifiers(X509* cert, X509* issuer) {
  static EVP_MD* const sha1 = EVP_MD_fetch(nullptr, "SHA1", nullptr);
  if (sha1 == nullptr)
    openssl_fail("EVP_MD_fetch(SHA1)");
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int len = 0;
  openssl_check(X509_pubkey_digest(cert, sha1, digest.data(), &len), "X509_pubkey_digest");
  std::unique_ptr<ASN1_OCTET_STRING, void (*)(ASN1_OCTET_STRING*)> ski{ASN1_OCTET_STRING_new(),
                                                                       ASN1_OCTET_STRING_free};
  if (!ski || !ASN1_OCTET_STRING_set(ski.get(), digest.data(), static_cast<int>(len)))
    openssl_fail("ASN1_OCTET_STRING_set(subjectKeyIdentifier)");
  openssl_check(
      X509_add1_ext_i2d(cert, NID_subject_key_identifier, ski.get(), 0, X509V3_ADD_DEFAULT),
      "X509_add1_ext_i2d(subjectKeyIdentifier)");
  const ASN1_OCTET_STRING* issuer_id = X509_get0_subject_key_id(issuer);
  if (issuer_id == nullptr)
    return;
  std::unique_ptr<AUTHORITY_KEYID, void (*)(AUTHORITY_KEYID*)> aki{AUTHORITY_KEYID_new(),
                                                                   AUTHORITY_KEYID_free};
  if (!aki || (aki->keyid = ASN1_OCTET_STRING_dup(issuer_id)) == nullptr)
    openssl_fail("AUTHORITY_KEYID_new");
  openssl_check(
      X509_add1_ext_i2d(cert, NID_authority_key_identifier, aki.get(), 0, X509V3_ADD_DEFAULT),
      "X509_add1_ext_i2d(authorityKeyIdentifier)");
}

void sign_certificate(X509* cert, EVP_PKEY* key) {
  // Fetched once: OpenSSL 3.0 looks EVP_sha256() up in the provider store on every use.
  static EVP_MD* const sha256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  if (sha256 == nullptr)
    openssl_fail("EVP_MD_fetch(SHA256)");
  openssl_check(X509_sign(cert, key, sha256), "X509_sign");
}

std::chrono::system_clock::time_point to_time_point(const ASN1_TIME* t) {
  std::tm tm{};
  openssl_check(ASN1_TIME_to_tm(t, &tm), "ASN1_TIME_to_tm");
  return std::chrono::system_clock::from_time_t(timegm(&tm));
}

parsed_certs parse_certs(std::string_view pem) {
  parsed_certs out;
  auto bio = base::memory_bio(pem);
  if (!bio)
    base::openssl_fail("BIO_new_mem_buf");
  for (;;) {
    char* name = nullptr;
    char* header = nullptr;
    unsigned char* data = nullptr;
    long len = 0;
    if (PEM_read_bio(bio.get(), &name, &header, &data, &len) != 1)
      break;
    bool is_cert = std::strcmp(name, PEM_STRING_X509) == 0;
    const unsigned char* p = data;
    base::x509_ptr cert;
    if (is_cert)
      cert.reset(d2i_X509(nullptr, &p, len));
    bool whole = cert && p == data + len;
    OPENSSL_free(name);
    OPENSSL_free(header);
    OPENSSL_free(data);
    if (!is_cert)
      continue;
    if (!whole) {
      ERR_clear_error();
      return parsed_certs{{}, false};
    }
    out.certs.push_back(std::move(cert));
  }
  ERR_clear_error(); // the end of input reads as "no start line"
  return out;
}

std::vector<std::string> uri_sans(X509* cert) {
  std::vector<std::string> out;
  base::general_names_ptr names{
      static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr))};
  return names ? base::uri_names(names.get()) : out;
}

} // namespace ambient::ca
