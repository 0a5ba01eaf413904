#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sim/api_handler.hpp"
#include "sim/service_account_tokens.hpp"
#include "sim/store.hpp"

namespace ambient::sim {

/// The outcome of reviewing one token: who it names, or why it names no one.
struct token_review_result {
  bool authenticated = false;
  std::optional<token_claims> claims; ///< set when authenticated
  std::vector<std::string> audiences; ///< the token's audiences among the requested ones
  std::string error;                  ///< why it was refused (empty when authenticated)
};

/// Reviews `token` as a cluster's API server does: signed by `signer`, not expired at `now`,
/// one of its audiences among `audiences` (empty: the issuer), and its service account and
/// bound pod still in `s` with the UIDs the token names. Pure apart from reading the store.
token_review_result review_token(const store& s, const token_signer& signer, std::string_view token,
                                 const std::vector<std::string>& audiences,
                                 std::chrono::system_clock::time_point now);

/// Serves `POST /apis/authentication.k8s.io/v1/tokenreviews`: 201 with a TokenReview whose
/// status says who the token names (username, UID, groups, pod extras) or `error`; 400 for a
/// body that is not a TokenReview with a token.
api_response handle_token_review(const store& s, const token_signer& signer, const api_request& req,
                                 std::chrono::system_clock::time_point now);

} // namespace ambient::sim
