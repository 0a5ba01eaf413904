#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "ca/ca_error.hpp"
#include "ca/signing_bundle.hpp"
#include "ca/ttl_policy.hpp"

namespace ambient::ca {

/// What the CA does with one CreateCertificate once the caller's identity is settled: check the
/// CSR, settle the lifetime, sign, and answer in istiod's layout. Thread-safe: gRPC threads sign
/// while the CA keeper swaps in a renewed or rotated bundle.
class signer {
public:
  /// How certificates are granted.
  struct params {
    ttl_policy ttl;
    bool refuse_foreign_sans = true; ///< see leaf_request
  };

  explicit signer(params p);

  /// Installs the bundle new certificates are signed with (the CA keeper calls it on start-up and
  /// on every rotation).
  void install(std::shared_ptr<const signing_bundle> bundle);

  /// The bundle in use; null until one is installed.
  std::shared_ptr<const signing_bundle> bundle() const;

  /// Checks `csr_pem` (untrusted), grants it `requested` (istiod's validity_duration), signs it for
  /// `spiffe_id`, and returns IstioCertificateResponse.cert_chain. Errors: the CSR's (bad_csr, …,
  /// foreign_san), the lifetime's (bad_ttl, ca_expired), no bundle yet (ca_expired: "CA not
  /// ready"), or the signing's (internal).
  result<std::vector<std::string>> sign(std::string_view csr_pem, const std::string& spiffe_id,
                                        std::chrono::seconds requested,
                                        std::chrono::system_clock::time_point now) const;

private:
  params params_;
  mutable std::mutex mutex_;
  std::shared_ptr<const signing_bundle> bundle_;
};

} // namespace ambient::ca
