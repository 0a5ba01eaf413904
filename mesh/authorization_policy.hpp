#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "istio/security/authorization.pb.h"
#include "mesh/authorization_types.hpp"

/// AuthorizationPolicy → istio.security.Authorization, as istiod 1.28.3's ambient index converts
/// it for ztunnel (pilot/pkg/serviceregistry/kube/controller/ambient/authorization.go,
/// `convertAuthorizationPolicy`, and policies.go for dry run), with the status message of
/// istio/istio#61126's fix (see docs/authorization.md).
namespace ambient::mesh {

/// The `ZtunnelAccepted` condition istiod would write on the policy when it has something to say.
struct policy_status {
  std::string reason;  ///< "UnsupportedValue".
  std::string message; ///< Our wording of istiod's message (see docs/authorization.md).
  bool operator==(const policy_status&) const = default;
};

/// What istiod makes of one AuthorizationPolicy.
struct authorization_conversion {
  /// The resource sent to ztunnel (xDS name `<namespace>/<name>`); nullopt when none is sent.
  std::optional<istio::security::Authorization> authorization;
  /// Set when istiod reports a problem: an unsupported action (no resource; Bound false) or HTTP
  /// attributes ztunnel cannot enforce (resource sent; Bound true).
  std::optional<policy_status> status;
  /// Neither a resource nor a status: istiod ignores the policy (dry run, or attached by
  /// targetRef to a waypoint).
  bool ignored() const {
    return !authorization && !status;
  }
};

/// Whether `text` is true for Go's strconv.ParseBool: "1", "t", "T", "TRUE", "true", "True".
bool go_parse_bool_true(std::string_view text);

/// Converts `ap`: ignored when `istio.io/dry-run` parses true or a targetRef is present; a status
/// and no resource for AUDIT, CUSTOM and any other action; otherwise the resource, with a status
/// when HTTP attributes were left out. `root_namespace` is meshConfig.rootNamespace: a policy
/// there without a selector has GLOBAL scope.
authorization_conversion convert_authorization_policy(const authorization_policy& ap,
                                                      const std::string& root_namespace);

/// Whether some group of `a` can match at ztunnel: a group with no Rules always matches, and one
/// whose every Rules entry holds a non-empty Match can; ztunnel skips empty Matches.
bool has_effective_groups(const istio::security::Authorization& a);

} // namespace ambient::mesh
