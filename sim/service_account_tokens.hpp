#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <openssl/types.h>

namespace ambient::sim {

/// The issuer kube-sim's tokens carry: what kubeadm passes as `--service-account-issuer`.
inline constexpr std::string_view default_token_issuer
    = "https://kubernetes.default.svc.cluster.local";

/// What a bound service-account token says, as a real API server puts it in the JWT: `iss`,
/// `sub` (system:serviceaccount:<ns>:<sa>), `aud`, `iat`, `nbf`, `exp`, and the `kubernetes.io`
/// claim with the namespace, the pod and the service account (name and UID).
struct token_claims {
  std::string issuer{default_token_issuer};
  std::vector<std::string> audiences;
  std::chrono::system_clock::time_point issued_at;
  std::chrono::system_clock::time_point not_before;
  std::chrono::system_clock::time_point expires;
  std::string namespace_;
  std::string service_account;
  std::string service_account_uid;
  std::string pod_name; ///< empty for a token bound to no pod
  std::string pod_uid;

  /// "system:serviceaccount:<ns>:<sa>".
  std::string subject() const;
};

/// Why a token was refused, or its claims.
struct token_verdict {
  std::optional<token_claims> claims; ///< set when the token verified
  std::string reason;                 ///< why it did not, e.g. "token has expired"
};

/// One cluster's service-account token signer: an EC P-256 key made with it, compact JWS ES256
/// tokens out, and verification of tokens in against that key only. Pure: times are inputs.
/// Immutable once made, so safe to share between threads.
class token_signer {
public:
  /// A signer with a fresh key. Throws std::runtime_error on OpenSSL failure.
  static token_signer create();

  /// The key ID in every token's header: base64url of the SHA-256 of the public key (DER), as
  /// a real API server computes it.
  const std::string& key_id() const {
    return key_id_;
  }

  /// The public key, PEM (SubjectPublicKeyInfo): what a verifier outside the API server (a
  /// JWKS, a test's independent check) needs.
  std::string public_key_pem() const;

  /// Signs `claims` as a compact JWS: header {"alg":"ES256","kid":...}, the claims, and the raw
  /// 64-byte r||s signature, each base64url. Throws std::runtime_error on OpenSSL failure.
  std::string issue(const token_claims& claims) const;

  /// Checks `token`'s form, signature (this signer's key only), `nbf` and `exp` against `now`:
  /// its claims, or a reason naming what is wrong. Audiences and bound objects are the
  /// reviewer's business (token_review.hpp).
  token_verdict verify(std::string_view token, std::chrono::system_clock::time_point now) const;

private:
  token_signer(std::shared_ptr<EVP_PKEY> key, std::string key_id);

  std::shared_ptr<EVP_PKEY> key_;
  std::string key_id_;
};

} // namespace ambient::sim
