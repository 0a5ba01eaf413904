#pragma once

#include <chrono>
#include <string>

#include "sim/api_handler.hpp"
#include "sim/service_account_tokens.hpp"
#include "sim/store.hpp"

namespace ambient::sim {

/// Serves `POST /api/v1/namespaces/<ns>/serviceaccounts/<sa>/token` (a TokenRequest): 201 with
/// `status.token`, a JWT `signer` signs for `spec.audiences` (default: the issuer), valid for
/// `spec.expirationSeconds` (default 3600, at least 600) from `now`, and bound to the pod of
/// `spec.boundObjectRef` when there is one. The service account and the pod must exist (404),
/// the pod's UID match (409) and the pod run as `sa` (400); a bad spec is 400 or 422.
api_response handle_token_request(const store& s, const token_signer& signer, const std::string& ns,
                                  const std::string& sa, const api_request& req,
                                  std::chrono::system_clock::time_point now);

} // namespace ambient::sim
