#include "ca/csr_check.hpp"

#include <climits>
#include <cstring>
#include <memory>

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "base/openssl_util.hpp"

namespace ambient::ca {

namespace {

/// One PEM block read from a BIO, freed with OPENSSL_free.
struct pem_block {
  struct freer {
    void operator()(void* p) const {
      OPENSSL_free(p);
    }
  };
  std::unique_ptr<char, freer> name;
  std::unique_ptr<char, freer> header;
  std::unique_ptr<unsigned char, freer> data;
  long length = 0;

  /// Reads the next block; false when there is none.
  bool read(BIO* bio) {
    char* n = nullptr;
    char* h = nullptr;
    unsigned char* d = nullptr;
    int ok = PEM_read_bio(bio, &n, &h, &d, &length);
    name.reset(n);
    header.reset(h);
    data.reset(d);
    return ok == 1;
  }
};

error fail(errc code, std::string message) {
  ERR_clear_error();
  return error{code, std::move(message)};
}

/// "EC P-256", "RSA-2048", ... and whether the CA accepts it.
std::string describe_key(EVP_PKEY* key, bool& acceptable) {
  acceptable = false;
  int id = EVP_PKEY_get_base_id(key);
  if (id == EVP_PKEY_RSA) {
    int bits = EVP_PKEY_get_bits(key);
    acceptable = bits >= 2048;
    return "RSA-" + std::to_string(bits);
  }
  if (id == EVP_PKEY_EC) {
    char group[64] = {};
    size_t len = 0;
    if (EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group, &len)
        != 1)
      return "EC with unnamed curve";
    std::string g{group, len};
    if (g == "prime256v1" || g == "P-256") {
      acceptable = true;
      return "EC P-256";
    }
    if (g == "secp384r1" || g == "P-384") {
      acceptable = true;
      return "EC P-384";
    }
    return "EC " + g;
  }
  const char* type = OBJ_nid2sn(id);
  return type != nullptr && id != NID_undef ? type : "of an unknown type";
}

/// The URI SANs of the request's extensions; false if a subjectAltName does not decode.
bool request_uri_sans(X509_REQ* req, std::vector<std::string>& out) {
  base::extension_stack_ptr exts{X509_REQ_get_extensions(req)};
  if (!exts)
    return true;
  int crit = 0;
  base::general_names_ptr names{static_cast<GENERAL_NAMES*>(
      X509V3_get_d2i(exts.get(), NID_subject_alt_name, &crit, nullptr))};
  if (!names)
    return crit == -1; // -1: absent; -2: more than one; otherwise it did not decode
  out = base::uri_names(names.get());
  return true;
}

} // namespace

result<csr_info> check_csr(std::string_view pem, const csr_limits& limits) {
  if (pem.size() > limits.max_bytes || pem.size() > static_cast<size_t>(INT_MAX))
    return fail(errc::csr_too_large, "CSR is " + std::to_string(pem.size())
                                         + " bytes; the limit is "
                                         + std::to_string(limits.max_bytes));
  if (pem.find("-----BEGIN ") == std::string_view::npos)
    return fail(errc::bad_csr, "CSR is not PEM (no -----BEGIN CERTIFICATE REQUEST----- line); "
                               "DER and other encodings are not accepted");
  base::bio_ptr bio{BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()))};
  if (!bio)
    return fail(errc::internal, "cannot allocate a memory BIO for the CSR");
  pem_block block;
  if (!block.read(bio.get()))
    return fail(errc::bad_csr, "CSR PEM block does not decode (bad base64 or no END line)");
  if (std::strcmp(block.name.get(), PEM_STRING_X509_REQ) != 0)
    return fail(errc::bad_csr, std::string{"CSR PEM block is of type "} + block.name.get()
                                   + ", not CERTIFICATE REQUEST");
  if (pem_block extra; extra.read(bio.get()))
    return fail(errc::bad_csr, "CSR text holds more than one PEM block; send exactly one "
                               "CERTIFICATE REQUEST");
  const unsigned char* p = block.data.get();
  base::x509_req_ptr req{d2i_X509_REQ(nullptr, &p, block.length)};
  if (!req)
    return fail(errc::bad_csr, "CSR PEM block does not hold a DER certificate request");
  if (p != block.data.get() + block.length)
    return fail(errc::bad_csr, "CSR PEM block has trailing bytes after the request");
  base::pkey_ptr key{X509_REQ_get_pubkey(req.get())};
  if (!key)
    return fail(errc::weak_key, "CSR public key does not decode");
  bool acceptable = false;
  auto description = describe_key(key.get(), acceptable);
  if (!acceptable)
    return fail(errc::weak_key,
                "CSR key is " + description + "; need RSA >= 2048 or EC P-256/P-384");
  if (X509_REQ_verify(req.get(), key.get()) != 1)
    return fail(errc::bad_signature, "CSR signature does not verify");
  csr_info info;
  if (!request_uri_sans(req.get(), info.uri_sans))
    return fail(errc::bad_csr, "CSR subjectAltName extension does not decode");
  info.public_key = std::move(key);
  info.request = std::move(req);
  info.key_description = std::move(description);
  ERR_clear_error();
  return info;
}

} // namespace ambient::ca
