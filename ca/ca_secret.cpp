#include "ca/ca_secret.hpp"

#include <openssl/err.h>
#include <openssl/x509_vfy.h>

#include "base/openssl_util.hpp"
#include "ca/cert_builder.hpp"

namespace ambient::ca {

namespace {

/// Which keys of the Secret hold what.
struct layout {
  const char* cert;
  const char* key;
  const char* chain; ///< null: no chain key of its own
  const char* roots;
};

constexpr layout tls_layout{"tls.crt", "tls.key", nullptr, "ca.crt"};
constexpr layout istio_layout{"ca-cert.pem", "ca-key.pem", "cert-chain.pem", "root-cert.pem"};

error bad(std::string message) {
  ERR_clear_error();
  return error{errc::bad_bundle, std::move(message)};
}

const std::string* find(const std::map<std::string, std::string>& data, const char* key) {
  auto it = data.find(key);
  return it == data.end() ? nullptr : &it->second;
}

/// Verifies `cert` at `now` against `roots` with `ca.chain` as untrusted intermediates; an empty
/// string on success, else why not.
std::string verify_against(X509* cert, const std::vector<X509*>& roots, const signing_bundle& ca,
                           std::chrono::system_clock::time_point now) {
  base::x509_store_ptr store{X509_STORE_new()};
  base::x509_stack_ptr untrusted{sk_X509_new_null()};
  base::x509_store_ctx_ptr ctx{X509_STORE_CTX_new()};
  if (!store || !untrusted || !ctx)
    return "out of memory";
  for (auto* root : roots)
    if (X509_STORE_add_cert(store.get(), root) != 1)
      ERR_clear_error(); // a duplicate root is harmless
  for (const auto& c : ca.chain) {
    if (!sk_X509_push(untrusted.get(), c.get()))
      return "out of memory";
    X509_up_ref(c.get());
  }
  if (X509_STORE_CTX_init(ctx.get(), store.get(), cert, untrusted.get()) != 1)
    return "X509_STORE_CTX_init failed";
  X509_VERIFY_PARAM_set_time(X509_STORE_CTX_get0_param(ctx.get()),
                             std::chrono::system_clock::to_time_t(now));
  if (X509_verify_cert(ctx.get()) == 1)
    return {};
  return X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx.get()));
}

/// Verifies `cert` at `now` against `ca.roots` with `ca.chain` as untrusted intermediates; an
/// empty string on success, else why not. During a rotation two roots may share a subject, and
/// roots made by Go (istiod's) carry no authority key identifier: OpenSSL then tries only the
/// first root of that subject, so each root is tried alone too, as Go's verifier tries them all.
std::string verify_chain(X509* cert, const signing_bundle& ca,
                         std::chrono::system_clock::time_point now) {
  std::vector<X509*> all;
  for (const auto& root : ca.roots)
    all.push_back(root.get());
  auto why = verify_against(cert, all, ca, now);
  if (why.empty() || all.size() < 2)
    return why;
  for (auto* root : all)
    if (verify_against(cert, {root}, ca, now).empty())
      return {};
  return why;
}

} // namespace

result<signing_bundle> load_signing_bundle(const std::map<std::string, std::string>& data,
                                           std::chrono::system_clock::time_point now) {
  bool tls = data.count("tls.crt") != 0;
  if (!tls && data.count("ca-cert.pem") == 0)
    return bad("CA secret data has neither ca-cert.pem (cacerts, istio-ca-secret) nor tls.crt "
               "(kubernetes.io/tls)");
  const layout& l = tls ? tls_layout : istio_layout;
  const std::string* cert_pem = find(data, l.cert);
  const std::string* key_pem = find(data, l.key);
  if (key_pem == nullptr || key_pem->empty())
    return bad(std::string{"CA secret data has "} + l.cert + " but no " + l.key);
  const std::string* roots_pem = find(data, l.roots);
  if (roots_pem == nullptr || roots_pem->empty()) {
    if (tls)
      return bad("CA secret data has tls.crt but no ca.crt");
    roots_pem = cert_pem; // istio-ca-secret: the signing certificate is the root
  }
  signing_bundle ca;
  auto certs = parse_certs(*cert_pem);
  if (!certs.ok || certs.certs.empty())
    return bad(std::string{l.cert} + " holds no certificate that parses");
  ca.cert = std::move(certs.certs.front());
  ca.key = base::parse_key(*key_pem);
  if (!ca.key)
    return bad(std::string{l.key} + " holds no private key that parses (PEM)");
  if (X509_check_private_key(ca.cert.get(), ca.key.get()) != 1)
    return bad(std::string{l.key} + " does not match the certificate in " + l.cert);
  if (X509_check_ca(ca.cert.get()) < 1)
    return bad(std::string{l.cert}
               + " is not a CA certificate (needs basicConstraints CA:TRUE "
                 "and, if keyUsage is present, keyCertSign)");
  auto roots = parse_certs(*roots_pem);
  if (!roots.ok || roots.certs.empty())
    return bad(std::string{l.roots} + " holds no certificate that parses");
  ca.roots = std::move(roots.certs);
  ca.roots_pem = *roots_pem;
  if (tls) {
    auto chain = parse_certs(*cert_pem);
    for (auto& c : chain.certs)
      ca.chain.push_back(std::move(c));
    for (auto& c : parse_certs(*roots_pem).certs)
      ca.chain.push_back(std::move(c));
  } else if (const std::string* chain_pem = find(data, l.chain); chain_pem != nullptr) {
    auto chain = parse_certs(*chain_pem);
    if (!chain.ok)
      return bad(std::string{l.chain} + " holds a certificate that does not parse");
    ca.chain = std::move(chain.certs);
  }
  if (auto why = verify_chain(ca.cert.get(), ca, now); !why.empty())
    return bad(std::string{l.cert} + " does not verify against " + l.roots
               + (l.chain != nullptr ? std::string{" through "} + l.chain : std::string{}) + ": "
               + why);
  ERR_clear_error();
  return ca;
}

std::map<std::string, std::string> to_secret_data(const signing_bundle& ca) {
  std::string chain;
  for (const auto& c : ca.chain)
    chain += base::to_pem(c.get());
  return {
      {"ca-cert.pem", base::to_pem(ca.cert.get())},
      {"ca-key.pem", base::to_pem(ca.key.get())},
      {"cert-chain.pem", chain},
      {"key.pem", ""},
      {"root-cert.pem", ca.roots_pem},
  };
}

} // namespace ambient::ca
