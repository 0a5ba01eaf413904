#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "kube/decode.hpp"

/// A look inside a JWT's payload WITHOUT verifying its signature. The claims read here are not
/// trusted for anything but bounding how long a TokenReview's verdict is cached (`exp`) and naming
/// the token's subject in a log line (`sub`); the API server's review decides who the caller is.
namespace ambient::kube {

/// The unverified claims of a JWT that ambientd looks at.
struct jwt_claims {
  std::optional<int64_t> exp; ///< seconds since the Unix epoch; absent when the token has none
  std::string sub;            ///< e.g. "system:serviceaccount:istio-system:ztunnel"; may be empty
};

/// Largest token jwt_peek reads; longer ones are refused as too_large.
inline constexpr size_t max_jwt_bytes = 64 * 1024;

/// Splits a compact JWS (three base64url segments separated by '.'), decodes the payload and reads
/// `exp` (an integer, or a number whose whole seconds are kept) and `sub` (a string). Anything else
/// is a decode_error naming what is wrong ("JWT: expected 3 '.'-separated segments, got 1"); the
/// message never quotes the token or its segments.
decoded<jwt_claims> peek_jwt_claims(std::string_view token);

} // namespace ambient::kube
