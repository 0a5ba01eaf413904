#include "ca/signer.hpp"

#include <openssl/x509.h>

#include "ca/cert_builder.hpp"
#include "ca/csr_check.hpp"
#include "ca/issuer.hpp"

namespace ambient::ca {

signer::signer(params p) : params_(p) {
  // nop
}

void signer::install(std::shared_ptr<const signing_bundle> bundle) {
  std::lock_guard guard{mutex_};
  bundle_ = std::move(bundle);
}

std::shared_ptr<const signing_bundle> signer::bundle() const {
  std::lock_guard guard{mutex_};
  return bundle_;
}

result<std::vector<std::string>> signer::sign(std::string_view csr_pem,
                                              const std::string& spiffe_id,
                                              std::chrono::seconds requested,
                                              std::chrono::system_clock::time_point now) const {
  auto ca = bundle();
  if (!ca)
    return error{errc::ca_expired, "CA not ready: no signing certificate loaded yet"};
  auto csr = check_csr(csr_pem);
  if (auto* e = std::get_if<error>(&csr))
    return std::move(*e);
  auto ttl = effective_ttl(params_.ttl, requested,
                           to_time_point(X509_get0_notAfter(ca->cert.get())), now);
  if (auto* e = std::get_if<error>(&ttl))
    return std::move(*e);
  auto leaf = issue(*ca, std::get<csr_info>(csr),
                    leaf_request{spiffe_id, std::get<std::chrono::seconds>(ttl), now,
                                 params_.refuse_foreign_sans});
  if (auto* e = std::get_if<error>(&leaf))
    return std::move(*e);
  return chain_response(*ca, std::get<std::string>(leaf));
}

} // namespace ambient::ca
