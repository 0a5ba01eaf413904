#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "xds/call_credentials.hpp"
#include "xds/peer_identity.hpp"

/// Who is calling the TLS listener (xDS streams and the CA alike), decided as istiod decides it: a
/// verified client certificate's SPIFFE ID first (proxyless gRPC and other mTLS clients), else a
/// Kubernetes service-account token in `authorization: Bearer <JWT>` reviewed against the cluster
/// the `clusterid` metadata names (ztunnel). The plaintext listener authenticates nobody. The
/// SPIFFE allow-list applies to either kind of identity.
namespace ambient::xds {

/// call_credentials of a gRPC call.
call_credentials credentials_of(const grpc::ServerContextBase& context);

/// Reviews a bearer token: given the raw `authorization` and `clusterid` values, calls `done`
/// exactly once, on any thread, possibly before returning.
using token_authenticator
    = std::function<void(const call_credentials& creds, std::function<void(token_verdict)> done)>;

/// The decision on one call.
struct caller_verdict {
  grpc::StatusCode code = grpc::StatusCode::OK; ///< OK, UNAUTHENTICATED or PERMISSION_DENIED
  std::string reason;                           ///< why it was refused
  bool authenticated = false; ///< false on the plaintext listener: no identity checks apply
  std::vector<std::string> identities; ///< the caller's SPIFFE IDs (empty when unauthenticated)
  std::optional<token_verdict> token;  ///< set when a token proved the identity

  bool ok() const {
    return code == grpc::StatusCode::OK;
  }
};

/// Authenticates callers of the TLS listener. Thread-safe; cheap to copy.
class caller_authenticator {
public:
  /// `tokens` may be empty: then a caller without a client certificate is refused.
  caller_authenticator(spiffe_allow_list allow, token_authenticator tokens);

  /// Decides on a call with these credentials; calls `done` exactly once, on any thread, possibly
  /// before returning.
  void authenticate(const call_credentials& creds,
                    const std::function<void(caller_verdict)>& done) const;

private:
  spiffe_allow_list allow_;
  token_authenticator tokens_;
};

} // namespace ambient::xds
