#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "ca/ca_error.hpp"
#include "ca/csr_check.hpp"
#include "ca/signing_bundle.hpp"

namespace ambient::ca {

/// What to certify for whom: the caller's (or the impersonated) identity, the lifetime already
/// settled by effective_ttl, and the time of signing.
struct leaf_request {
  /// The one URI SAN of the certificate, e.g. "spiffe://cluster.local/ns/a/sa/b".
  std::string spiffe_id;
  /// How long the certificate lives from `now`.
  std::chrono::seconds ttl{std::chrono::hours{24}};
  /// The time of signing; notBefore is two minutes earlier (istiod's ClockSkewGracePeriod).
  std::chrono::system_clock::time_point now;
  /// Refuse a CSR whose URI SANs name anything but `spiffe_id`. istiod ignores the CSR's SANs;
  /// ambientd refuses by default, since ztunnel always asks for the identity it gets.
  bool refuse_foreign_sans = true;
};

/// Signs a workload certificate for `csr`'s key as istiod does
/// (is:security/pkg/pki/util/generate_cert.go genCertTemplateFromCSR): random 128-bit serial,
/// empty subject, issuer = the signing certificate's subject, notBefore now − 2 min, notAfter now
/// + ttl, critical keyUsage digitalSignature and keyEncipherment, extendedKeyUsage serverAuth and
/// clientAuth, critical basicConstraints CA:FALSE, a critical subjectAltName holding only
/// `req.spiffe_id`, subject and authority key identifiers, SHA-256. Returns the certificate, PEM.
result<std::string> issue(const signing_bundle& ca, const csr_info& csr, const leaf_request& req);

/// The IstioCertificateResponse cert_chain for `leaf_pem`, in istiod's order
/// (is:security/pkg/server/ca/server.go CreateCertificate): the leaf, then each certificate of
/// the chain as its own element, each ending in one "\n", and last the roots unsplit.
std::vector<std::string> chain_response(const signing_bundle& ca, const std::string& leaf_pem);

/// A TLS certificate and its key for the CA's own gRPC listener (15012).
struct serving_cert {
  /// The leaf and then the chain's certificates, PEM, as a TLS server presents them.
  std::string cert_chain_pem;
  /// The fresh EC P-256 key, PEM (PKCS#8).
  std::string key_pem;
};

/// Issues a server certificate with a fresh EC P-256 key for `dns_names` (e.g.
/// "istiod.istio-system.svc") as critical DNS SANs with an empty subject, serverAuth and
/// clientAuth, living `ttl` from `now` but never past the signing certificate.
result<serving_cert> issue_serving_cert(const signing_bundle& ca,
                                        const std::vector<std::string>& dns_names,
                                        std::chrono::seconds ttl,
                                        std::chrono::system_clock::time_point now);

} // namespace ambient::ca
