#pragma once

#include <chrono>

#include "ca/ca_error.hpp"

namespace ambient::ca {

/// The lifetimes the CA grants workload certificates (istiod's DEFAULT_WORKLOAD_CERT_TTL and
/// MAX_WORKLOAD_CERT_TTL).
struct ttl_policy {
  /// Granted when the request asks for zero or less.
  std::chrono::seconds default_ttl{std::chrono::hours{24}};
  /// A request over this is refused (istiod refuses with InvalidArgument; it does not clamp).
  std::chrono::seconds max_ttl{std::chrono::hours{24 * 90}};
};

/// The lifetime of a workload certificate asked to live `requested`, as istiod decides it
/// (is:security/pkg/pki/ca/ca.go sign): zero or less gives the default; more than the maximum is a
/// bad_ttl error; the result never outlives the signing certificate (`ca_not_after`), and a signing
/// certificate with no life left at `now` is a ca_expired error.
result<std::chrono::seconds> effective_ttl(const ttl_policy& policy, std::chrono::seconds requested,
                                           std::chrono::system_clock::time_point ca_not_after,
                                           std::chrono::system_clock::time_point now);

} // namespace ambient::ca
