#pragma once

#include <optional>
#include <string>
#include <vector>

/// What a caller of the TLS listener presents, and what reviewing its token found, without gRPC
/// types (the token reviewer actor and messages carry them; xds/caller_authenticator.hpp decides).
namespace ambient::xds {

/// What authenticating a call needs from it, copied off gRPC's context.
struct call_credentials {
  std::string peer;                       ///< gRPC's peer string, for logs
  std::string transport_security_type;    ///< "ssl"/"tls" on the TLS listener
  std::optional<std::string> cert_pem;    ///< the verified client certificate, if one was sent
  std::vector<std::string> authorization; ///< every `authorization` metadata value
  std::vector<std::string> cluster_ids;   ///< every `clusterid` metadata value
};

/// What a token review found (or why there is no identity).
struct token_verdict {
  std::string error;      ///< non-empty: refused (UNAUTHENTICATED with this message)
  std::string spiffe_id;  ///< "spiffe://<trust domain>/ns/<ns>/sa/<sa>"
  std::string cluster_id; ///< the cluster whose API server reviewed the token
  std::string pod_name;   ///< of the pod the token is bound to ("" when not bound)
  std::string pod_uid;
};

} // namespace ambient::xds
