#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

/// What a caller without a client certificate (ztunnel) presents in its gRPC metadata, read as
/// istiod's KubeJWT authenticator reads it: the bearer token of `authorization` (security.go,
/// ExtractBearerToken) and the cluster of `clusterid` (kube_jwt.go, ExtractClusterID). Pure: the
/// gRPC layer hands the metadata over as string views.
namespace ambient::xds {

/// Request metadata: (key, value) pairs in arrival order, a key once per value, as gRPC's
/// client_metadata() multimap holds them.
using metadata_view = std::vector<std::pair<std::string_view, std::string_view>>;

/// Why no bearer token was found.
enum class credentials_errc : uint8_t {
  no_authorization = 1, ///< no `authorization` entry at all
  no_bearer,            ///< `authorization` values, none starting with "Bearer "
  empty_token,          ///< the first "Bearer " value has nothing after the prefix
  too_large,            ///< the token exceeds max_bearer_token_bytes
};

/// A missing or unusable token; `message` says which and never quotes a value.
struct credentials_error {
  credentials_errc code;
  std::string message;
};

/// The prefix istiod strips (case-sensitive, one space).
inline constexpr std::string_view bearer_prefix = "Bearer ";

/// Longest token accepted (far above a service-account JWT, and above gRPC's metadata limit).
inline constexpr size_t max_bearer_token_bytes = 64 * 1024;

/// The token of the first `authorization` value that starts with "Bearer " (exactly, as istiod:
/// "bearer x" or "Basic x" do not count, and later values are not looked at once one matches).
/// Keys are matched without regard to case, as Go's metadata lower-cases them. Unlike istiod,
/// an empty token is refused here rather than sent to the API server, which would refuse it.
std::variant<std::string_view, credentials_error> bearer_token(const metadata_view& md);

/// The cluster a caller names, and how it named it.
struct cluster_claim {
  std::string_view id; ///< "" unless exactly one `clusterid` value was sent
  size_t values = 0;   ///< how many `clusterid` values were sent (for a log line when > 1)
};

/// The `clusterid` value when exactly one was sent; otherwise "" (none, or several: istiod then
/// reviews against its own cluster).
cluster_claim cluster_id(const metadata_view& md);

} // namespace ambient::xds
