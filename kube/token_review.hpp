#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

/// The TokenReview exchange with an API server (authentication.k8s.io/v1), as istiod's KubeJWT
/// authenticator uses it to turn a ztunnel's service-account token into an identity: the request
/// body, and the reading of the response with istiod's checks (k8sauthn.go). Pure; the POST is
/// the caller's.
namespace ambient::kube {

/// Who a reviewed token belongs to. Pod name and UID come from the review's `status.user.extra`
/// and are empty when the token is not bound to a pod.
struct token_identity {
  std::string namespace_;
  std::string service_account;
  std::string pod_name;
  std::string pod_uid;

  bool operator==(const token_identity&) const = default;
};

/// Why a token was not accepted.
enum class review_errc : uint8_t {
  bad_response = 1,    ///< the response is not a TokenReview: not JSON, wrong types, too large
  review_error,        ///< the API server set status.error
  not_authenticated,   ///< status.authenticated is not true
  not_service_account, ///< status.user.groups lacks system:serviceaccounts
  bad_username,        ///< status.user.username is not four ':'-separated parts
  review_failed,       ///< no verdict: timeout, transport or HTTP error (set by the caller)
};

/// A refused or failed review. `message` names the field or check; it never quotes the token.
struct review_failure {
  review_errc code;
  std::string message;

  bool operator==(const review_failure&) const = default;
};

/// The outcome of one review.
using review_result = std::variant<token_identity, review_failure>;

/// True for the API server's own verdicts on a token (status.error, not authenticated, not a
/// service account, bad username); false for failures that say nothing about the token
/// (bad_response, review_failed), which a retry may cure.
bool is_verdict(review_errc code);

/// The API path a review is POSTed to.
inline constexpr std::string_view token_review_path = "/apis/authentication.k8s.io/v1/tokenreviews";

/// The group every service-account token's user is in (istiod requires it).
inline constexpr std::string_view service_accounts_group = "system:serviceaccounts";

/// Largest response parse_token_review reads; larger ones are bad_response, unparsed.
inline constexpr size_t max_token_review_bytes = size_t{1} << 20;

/// The TokenReview POST body: {"apiVersion":"authentication.k8s.io/v1","kind":"TokenReview",
/// "spec":{"token":...,"audiences":[...]}}. No audiences (empty list) leaves spec.audiences out,
/// so the API server checks the token against its own audience, as istiod does for a nil list.
std::string token_review_body(std::string_view token, const std::vector<std::string>& audiences);

/// Reads a TokenReview response and applies istiod's checks in its order: status.error non-empty
/// fails with it; authenticated must be true; groups must contain system:serviceaccounts; username
/// must split on ':' into exactly four parts (namespace = [2], service account = [3]; the prefix is
/// not checked, as in istiod). status.audiences is not checked (the API server enforces
/// spec.audiences). Pod name and UID are the first value of status.user.extra
/// ["authentication.kubernetes.io/pod-name"] and [".../pod-uid"]. Untrusted input: anything
/// malformed is a bad_response naming the field.
review_result parse_token_review(std::string_view response_json);

} // namespace ambient::kube
