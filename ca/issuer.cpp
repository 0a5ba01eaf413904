#include "ca/issuer.hpp"

#include <algorithm>
#include <stdexcept>
#include <utility>

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "base/openssl_util.hpp"
#include "ca/cert_builder.hpp"

namespace ambient::ca {

namespace {

constexpr std::chrono::minutes clock_skew_grace{2};

/// The extensions every leaf carries alike, built once: critical keyUsage digitalSignature and
/// keyEncipherment, extendedKeyUsage serverAuth and clientAuth, critical basicConstraints
/// CA:FALSE. (Parsing their config text per certificate cost a fifth of a P-256 signature.)
const std::vector<base::extension_ptr>& leaf_extensions() {
  static const std::vector<base::extension_ptr> exts = [] {
    std::vector<base::extension_ptr> out;
    for (auto [nid, value] : {std::pair{NID_key_usage, "critical,digitalSignature,keyEncipherment"},
                              std::pair{NID_ext_key_usage, "serverAuth,clientAuth"},
                              std::pair{NID_basic_constraints, "critical,CA:FALSE"}}) {
      out.emplace_back(X509V3_EXT_nconf_nid(nullptr, nullptr, nid, value));
      if (!out.back())
        base::openssl_fail(std::string{"X509V3_EXT_nconf_nid("} + value + ")");
    }
    return out;
  }();
  return exts;
}

/// Builds and signs a leaf whose key `set_key` sets, with the given SANs; throws on OpenSSL
/// failure.
template <class SetKey>
base::x509_ptr build_leaf(const signing_bundle& ca, SetKey set_key, int san_type,
                          const std::vector<std::string>& sans, std::chrono::seconds ttl,
                          std::chrono::system_clock::time_point now) {
  auto cert
      = new_certificate(X509_get_subject_name(ca.cert.get()), now - clock_skew_grace, now + ttl);
  set_key(cert.get());
  for (const auto& ext : leaf_extensions())
    base::openssl_check(X509_add_ext(cert.get(), ext.get(), -1), "X509_add_ext");
  add_subject_alt_names(cert.get(), san_type, sans, true);
  add_key_identifiers(cert.get(), ca.cert.get());
  sign_certificate(cert.get(), ca.key.get());
  return cert;
}

error internal_error(const std::exception& e) {
  ERR_clear_error();
  return error{errc::internal, e.what()};
}

/// A PEM text ending in exactly one "\n".
std::string one_newline(std::string pem) {
  while (!pem.empty() && (pem.back() == '\n' || pem.back() == '\r'))
    pem.pop_back();
  pem += '\n';
  return pem;
}

} // namespace

result<std::string> issue(const signing_bundle& ca, const csr_info& csr, const leaf_request& req) {
  if (req.spiffe_id.rfind("spiffe://", 0) != 0 || req.spiffe_id.size() <= 9)
    return error{errc::bad_identity, "identity '" + req.spiffe_id + "' is not a spiffe:// URI"};
  if (req.ttl.count() <= 0)
    return error{errc::bad_ttl, "certificate lifetime must be positive"};
  if (req.refuse_foreign_sans) {
    auto foreign = std::find_if(csr.uri_sans.begin(), csr.uri_sans.end(),
                                [&](const std::string& san) { return san != req.spiffe_id; });
    if (foreign != csr.uri_sans.end())
      return error{errc::foreign_san, "CSR asks for URI SAN '" + *foreign
                                          + "', which is not the caller's identity '"
                                          + req.spiffe_id + "'"};
  }
  try {
    auto set_key = [&](X509* cert) {
      if (csr.request)
        copy_public_key(cert, X509_REQ_get_X509_PUBKEY(csr.request.get()));
      else
        set_public_key(cert, csr.public_key.get());
    };
    auto cert = build_leaf(ca, set_key, GEN_URI, {req.spiffe_id}, req.ttl, req.now);
    return base::to_pem(cert.get());
  } catch (const std::exception& e) {
    return internal_error(e);
  }
}

std::vector<std::string> chain_response(const signing_bundle& ca, const std::string& leaf_pem) {
  std::vector<std::string> out;
  out.reserve(ca.chain.size() + 2);
  out.push_back(one_newline(leaf_pem));
  for (const auto& cert : ca.chain)
    out.push_back(one_newline(base::to_pem(cert.get())));
  if (!ca.roots_pem.empty())
    out.push_back(ca.roots_pem);
  return out;
}

result<serving_cert> issue_serving_cert(const signing_bundle& ca,
                                        const std::vector<std::string>& dns_names,
                                        std::chrono::seconds ttl,
                                        std::chrono::system_clock::time_point now) {
  if (dns_names.empty())
    return error{errc::bad_identity, "a serving certificate needs at least one DNS name"};
  if (ttl.count() <= 0)
    return error{errc::bad_ttl, "certificate lifetime must be positive"};
  auto left = std::chrono::duration_cast<std::chrono::seconds>(
      to_time_point(X509_get0_notAfter(ca.cert.get())) - now);
  if (left.count() <= 0)
    return error{errc::ca_expired, "the CA signing certificate has expired"};
  try {
    auto key = generate_key(key_kind::ec_p256);
    auto set_key = [&](X509* cert) {
      set_public_key(cert, key.get());
    };
    auto cert = build_leaf(ca, set_key, GEN_DNS, dns_names, std::min(ttl, left), now);
    serving_cert out;
    out.cert_chain_pem = base::to_pem(cert.get());
    for (const auto& c : ca.chain)
      out.cert_chain_pem += base::to_pem(c.get());
    out.key_pem = base::to_pem(key.get());
    return out;
  } catch (const std::exception& e) {
    return internal_error(e);
  }
}

} // namespace ambient::ca
