#pragma once

#include <memory>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

/// Owning pointers for OpenSSL objects, the one copy for the project (xDS peer identity, the
/// transport, kube-sim's PKI, the CA of ca/).
namespace ambient::base {

/// Frees an OpenSSL object with its own free function.
template <class T, void (*Free)(T*)>
struct openssl_deleter {
  void operator()(T* p) const {
    Free(p);
  }
};

using bio_ptr = std::unique_ptr<BIO, openssl_deleter<BIO, BIO_free_all>>;
using bignum_ptr = std::unique_ptr<BIGNUM, openssl_deleter<BIGNUM, BN_free>>;
using ecdsa_sig_ptr = std::unique_ptr<ECDSA_SIG, openssl_deleter<ECDSA_SIG, ECDSA_SIG_free>>;
using md_ctx_ptr = std::unique_ptr<EVP_MD_CTX, openssl_deleter<EVP_MD_CTX, EVP_MD_CTX_free>>;
using pkey_ptr = std::unique_ptr<EVP_PKEY, openssl_deleter<EVP_PKEY, EVP_PKEY_free>>;
using x509_ptr = std::unique_ptr<X509, openssl_deleter<X509, X509_free>>;
using extension_ptr
    = std::unique_ptr<X509_EXTENSION, openssl_deleter<X509_EXTENSION, X509_EXTENSION_free>>;
using general_names_ptr
    = std::unique_ptr<GENERAL_NAMES, openssl_deleter<GENERAL_NAMES, GENERAL_NAMES_free>>;
using general_name_ptr
    = std::unique_ptr<GENERAL_NAME, openssl_deleter<GENERAL_NAME, GENERAL_NAME_free>>;
using x509_req_ptr = std::unique_ptr<X509_REQ, openssl_deleter<X509_REQ, X509_REQ_free>>;
using x509_store_ptr = std::unique_ptr<X509_STORE, openssl_deleter<X509_STORE, X509_STORE_free>>;
using x509_store_ctx_ptr
    = std::unique_ptr<X509_STORE_CTX, openssl_deleter<X509_STORE_CTX, X509_STORE_CTX_free>>;
using pkey_ctx_ptr
    = std::unique_ptr<EVP_PKEY_CTX, openssl_deleter<EVP_PKEY_CTX, EVP_PKEY_CTX_free>>;

/// Frees a stack of certificates and the certificates on it.
struct x509_stack_deleter {
  void operator()(STACK_OF(X509) * s) const {
    sk_X509_pop_free(s, X509_free);
  }
};
using x509_stack_ptr = std::unique_ptr<STACK_OF(X509), x509_stack_deleter>;

/// Frees a stack of extensions (e.g. a CSR's) and the extensions on it.
struct extension_stack_deleter {
  void operator()(STACK_OF(X509_EXTENSION) * s) const {
    sk_X509_EXTENSION_pop_free(s, X509_EXTENSION_free);
  }
};
using extension_stack_ptr = std::unique_ptr<STACK_OF(X509_EXTENSION), extension_stack_deleter>;

} // namespace ambient::base
