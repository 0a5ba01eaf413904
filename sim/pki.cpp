#include "sim/pki.hpp"

#include <array>
#include <climits>
#include <stdexcept>
#include <utility>

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "base/hex.hpp"
#include "base/openssl_ptr.hpp"
#include "base/openssl_util.hpp"

namespace ambient::sim {

namespace {

using base::bignum_ptr;
using base::bio_contents;
using base::extension_ptr;
using base::general_name_ptr;
using base::general_names_ptr;
using base::memory_bio;
using base::openssl_check;
using base::openssl_fail;
using base::parse_cert;
using base::parse_key;
using base::pkey_ptr;
using base::to_pem;
using base::x509_ptr;

constexpr long validity_seconds = 365L * 24 * 60 * 60;
constexpr long backdate_seconds = 5L * 60; // tolerate small clock skew between processes

void add_name_entry(X509_NAME* name, const char* field, const std::string& value) {
  openssl_check(X509_NAME_add_entry_by_txt(name, field, MBSTRING_UTF8,
                                           reinterpret_cast<const unsigned char*>(value.c_str()),
                                           -1, -1, 0),
                std::string{"X509_NAME_add_entry_by_txt("} + field + ")");
}

/// Sets version, a random positive 127-bit serial, validity, subject public key and issuer name.
x509_ptr new_cert(EVP_PKEY* subject_key, const X509_NAME* issuer_name) {
  x509_ptr cert{X509_new()};
  if (!cert)
    openssl_fail("X509_new");
  openssl_check(X509_set_version(cert.get(), X509_VERSION_3), "X509_set_version");
  std::array<unsigned char, 16> serial{};
  openssl_check(RAND_bytes(serial.data(), static_cast<int>(serial.size())), "RAND_bytes(serial)");
  serial[0] = static_cast<unsigned char>((serial[0] & 0x7f) | 0x01); // positive, never zero
  bignum_ptr bn{BN_bin2bn(serial.data(), static_cast<int>(serial.size()), nullptr)};
  if (!bn || !BN_to_ASN1_INTEGER(bn.get(), X509_get_serialNumber(cert.get())))
    openssl_fail("BN_to_ASN1_INTEGER(serial)");
  if (!X509_gmtime_adj(X509_getm_notBefore(cert.get()), -backdate_seconds)
      || !X509_gmtime_adj(X509_getm_notAfter(cert.get()), validity_seconds))
    openssl_fail("X509_gmtime_adj");
  openssl_check(X509_set_pubkey(cert.get(), subject_key), "X509_set_pubkey");
  if (issuer_name != nullptr)
    openssl_check(X509_set_issuer_name(cert.get(), issuer_name), "X509_set_issuer_name");
  return cert;
}

/// Adds an extension written in OpenSSL's config syntax, e.g. "critical,CA:TRUE".
void add_extension(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  extension_ptr ext{X509V3_EXT_nconf_nid(nullptr, &ctx, nid, value)};
  if (!ext)
    openssl_fail(std::string{"X509V3_EXT_nconf_nid("} + OBJ_nid2sn(nid) + "=" + value + ")");
  openssl_check(X509_add_ext(cert, ext.get(), -1),
                std::string{"X509_add_ext("} + OBJ_nid2sn(nid) + ")");
}

/// Adds the subjectAltName extension, in certificate order URIs, DNS names, IPs (none when all are
/// empty); `critical` when the subject is empty, as RFC 5280 requires.
void add_subject_alt_names(X509* cert, const std::vector<std::string>& uris,
                           const std::vector<std::string>& dns_names,
                           const std::vector<std::string>& ip_addresses, bool critical) {
  if (uris.empty() && dns_names.empty() && ip_addresses.empty())
    return;
  general_names_ptr names{sk_GENERAL_NAME_new_null()};
  if (!names)
    openssl_fail("sk_GENERAL_NAME_new_null");
  auto push = [&](int type, ASN1_STRING* value) {
    general_name_ptr name{GENERAL_NAME_new()};
    if (!name) {
      ASN1_STRING_free(value);
      openssl_fail("GENERAL_NAME_new");
    }
    GENERAL_NAME_set0_value(name.get(), type, value);
    if (sk_GENERAL_NAME_push(names.get(), name.get()) <= 0)
      openssl_fail("sk_GENERAL_NAME_push");
    name.release(); // now owned by the stack
  };
  auto push_ia5 = [&](int type, const std::string& text, const char* what) {
    ASN1_IA5STRING* value = ASN1_IA5STRING_new();
    if (value == nullptr || text.size() > static_cast<size_t>(INT_MAX)
        || !ASN1_STRING_set(value, text.data(), static_cast<int>(text.size()))) {
      ASN1_STRING_free(value);
      openssl_fail(std::string{"ASN1_STRING_set("} + what + " SAN)");
    }
    push(type, value);
  };
  for (const auto& uri : uris)
    push_ia5(GEN_URI, uri, "URI");
  for (const auto& dns : dns_names)
    push_ia5(GEN_DNS, dns, "DNS");
  for (const auto& ip : ip_addresses) {
    ASN1_OCTET_STRING* value = a2i_IPADDRESS(ip.c_str());
    if (value == nullptr) {
      ERR_clear_error();
      throw std::invalid_argument("pki: not an IP address for a SAN: '" + ip + "'");
    }
    push(GEN_IPADD, value);
  }
  openssl_check(X509_add1_ext_i2d(cert, NID_subject_alt_name, names.get(), critical ? 1 : 0,
                                  X509V3_ADD_DEFAULT),
                "X509_add1_ext_i2d(subjectAltName)");
}

void sign(X509* cert, EVP_PKEY* key) {
  openssl_check(X509_sign(cert, key, EVP_sha256()), "X509_sign");
}

} // namespace

base::pkey_ptr make_p256_key() {
  base::pkey_ptr key{EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256")};
  if (!key)
    base::openssl_fail("EVP_PKEY_Q_keygen(EC P-256)");
  return key;
}

certificate_authority::certificate_authority(std::string cert_pem, std::string key_pem)
  : cert_pem_(std::move(cert_pem)), key_pem_(std::move(key_pem)) {}

certificate_authority certificate_authority::create(const std::string& common_name) {
  auto key = make_p256_key();
  auto cert = new_cert(key.get(), nullptr);
  add_name_entry(X509_get_subject_name(cert.get()), "CN", common_name);
  openssl_check(X509_set_issuer_name(cert.get(), X509_get_subject_name(cert.get())),
                "X509_set_issuer_name");
  add_extension(cert.get(), cert.get(), NID_basic_constraints, "critical,CA:TRUE");
  add_extension(cert.get(), cert.get(), NID_key_usage, "critical,keyCertSign,cRLSign");
  add_extension(cert.get(), cert.get(), NID_subject_key_identifier, "hash");
  sign(cert.get(), key.get());
  return certificate_authority{to_pem(cert.get()), to_pem(key.get())};
}

const std::string& certificate_authority::cert_pem() const {
  return cert_pem_;
}

const std::string& certificate_authority::key_pem() const {
  return key_pem_;
}

namespace {

/// Issues a leaf certificate signed by the CA; `fill` adds the subject and the leaf's own
/// extensions.
template <class Fill>
cert_and_key issue_leaf(const std::string& ca_cert_pem, const std::string& ca_key_pem,
                        const char* extended_key_usage, Fill fill) {
  auto ca_cert = parse_cert(ca_cert_pem);
  if (!ca_cert)
    openssl_fail("PEM_read_bio_X509(CA certificate)");
  auto ca_key = parse_key(ca_key_pem);
  if (!ca_key)
    openssl_fail("PEM_read_bio_PrivateKey(CA key)");
  auto key = make_p256_key();
  auto cert = new_cert(key.get(), X509_get_subject_name(ca_cert.get()));
  fill(cert.get());
  add_extension(cert.get(), ca_cert.get(), NID_basic_constraints, "critical,CA:FALSE");
  add_extension(cert.get(), ca_cert.get(), NID_key_usage, "critical,digitalSignature");
  add_extension(cert.get(), ca_cert.get(), NID_ext_key_usage, extended_key_usage);
  add_extension(cert.get(), ca_cert.get(), NID_subject_key_identifier, "hash");
  add_extension(cert.get(), ca_cert.get(), NID_authority_key_identifier, "keyid:always");
  sign(cert.get(), ca_key.get());
  return {to_pem(cert.get()), to_pem(key.get())};
}

} // namespace

cert_and_key
certificate_authority::issue_server(const std::string& common_name,
                                    const std::vector<std::string>& dns_names,
                                    const std::vector<std::string>& ip_addresses) const {
  return issue_leaf(cert_pem_, key_pem_, "serverAuth", [&](X509* cert) {
    add_name_entry(X509_get_subject_name(cert), "CN", common_name);
    add_subject_alt_names(cert, {}, dns_names, ip_addresses, false);
  });
}

cert_and_key certificate_authority::issue_workload(
    const std::string& common_name, const std::vector<std::string>& uri_sans,
    const std::vector<std::string>& dns_names, const std::vector<std::string>& ip_addresses) const {
  return issue_leaf(cert_pem_, key_pem_, "serverAuth,clientAuth", [&](X509* cert) {
    if (!common_name.empty())
      add_name_entry(X509_get_subject_name(cert), "CN", common_name);
    add_subject_alt_names(cert, uri_sans, dns_names, ip_addresses, common_name.empty());
  });
}

cert_and_key
certificate_authority::issue_client(const std::string& common_name,
                                    const std::vector<std::string>& organizations) const {
  return issue_leaf(cert_pem_, key_pem_, "clientAuth", [&](X509* cert) {
    auto* subject = X509_get_subject_name(cert);
    for (const auto& org : organizations)
      add_name_entry(subject, "O", org);
    add_name_entry(subject, "CN", common_name);
  });
}

std::string random_hex(size_t n) {
  if (n > static_cast<size_t>(INT_MAX))
    throw std::invalid_argument("pki: random_hex size too large");
  std::string bytes(n, '\0');
  if (n > 0)
    openssl_check(RAND_bytes(reinterpret_cast<unsigned char*>(bytes.data()), static_cast<int>(n)),
                  "RAND_bytes");
  return base::hex_encode(bytes);
}

std::string subject_common_name(const std::string& cert_pem) {
  auto cert = parse_cert(cert_pem);
  if (!cert) {
    ERR_clear_error();
    return {};
  }
  const X509_NAME* subject = X509_get_subject_name(cert.get());
  int index = X509_NAME_get_index_by_NID(subject, NID_commonName, -1);
  if (index < 0)
    return {};
  const ASN1_STRING* data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, index));
  unsigned char* utf8 = nullptr;
  int len = ASN1_STRING_to_UTF8(&utf8, data);
  if (len < 0) {
    ERR_clear_error();
    return {};
  }
  std::string cn(reinterpret_cast<const char*>(utf8), static_cast<size_t>(len));
  OPENSSL_free(utf8);
  return cn;
}

} // namespace ambient::sim
