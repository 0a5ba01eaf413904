#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "kube/object_meta.hpp"

/// Decoded security.istio.io/v1 AuthorizationPolicy and PeerAuthentication objects: only the fields
/// istiod 1.28.3's ambient index reads, decoded once from the API server's JSON
/// (their body readers: kube/security_decoders.cpp, through the kind table). The conversions in
/// mesh/authorization_policy.hpp and mesh/peer_authentication.hpp read nothing else. Besides
/// object_meta they keep metadata.creationTimestamp, which decides between policies.
namespace ambient::kube {

/// `rules[].from[].source`: who connects. Lists keep the order written.
struct authz_source {
  std::vector<std::string> principals, not_principals;
  std::vector<std::string> request_principals, not_request_principals; ///< HTTP only.
  std::vector<std::string> namespaces, not_namespaces;
  std::vector<std::string> ip_blocks, not_ip_blocks;
  std::vector<std::string> remote_ip_blocks, not_remote_ip_blocks; ///< HTTP only.
  std::vector<std::string> service_accounts, not_service_accounts;
  bool operator==(const authz_source&) const = default;
};

/// `rules[].to[].operation`: what is reached. Only the ports are L4.
struct authz_operation {
  std::vector<std::string> hosts, not_hosts;
  std::vector<std::string> ports, not_ports;
  std::vector<std::string> methods, not_methods;
  std::vector<std::string> paths, not_paths;
  bool operator==(const authz_operation&) const = default;
};

/// `rules[].when[]`: one condition on an attribute `key`.
struct authz_condition {
  std::string key;
  std::vector<std::string> values, not_values;
  bool operator==(const authz_condition&) const = default;
};

/// One entry of `spec.rules`. `- {}` (all three empty) matches every connection.
struct authz_rule {
  std::vector<authz_source> from;
  std::vector<authz_operation> to;
  std::vector<authz_condition> when;
  bool operator==(const authz_rule&) const = default;
};

/// A decoded AuthorizationPolicy.
struct authorization_policy {
  /// Labels serve revision filtering (`istio.io/rev`); annotations dry run (`istio.io/dry-run`).
  object_meta meta;
  /// metadata.creationTimestamp in seconds since the epoch (the API's precision).
  int64_t creation_seconds = 0;
  /// `spec.selector.matchLabels`: nullopt when there is no `selector`, an empty map for
  /// `selector: {}` (a different scope from no selector: see convert_authorization_policy).
  std::optional<string_map> selector;
  /// `spec.targetRef` or a non-empty `spec.targetRefs` is present.
  bool has_target_refs = false;
  /// `spec.action` as written: "" (the API default, ALLOW), "ALLOW", "DENY", "AUDIT", "CUSTOM".
  std::string action;
  std::vector<authz_rule> rules;
  bool operator==(const authorization_policy&) const = default;
};

/// A PeerAuthentication mTLS mode. PERMISSIVE and DISABLE act the same in ambient.
enum class mtls_mode : uint8_t { unset, disable, permissive, strict };

/// A decoded PeerAuthentication.
struct peer_authentication {
  object_meta meta;
  /// metadata.creationTimestamp in seconds since the epoch: the oldest policy of a level wins.
  int64_t creation_seconds = 0;
  /// `spec.selector.matchLabels`: nullopt when there is no `selector`, else the map (maybe empty).
  std::optional<string_map> selector;
  /// `spec.mtls.mode`; unset also when `mtls` is absent.
  mtls_mode mode = mtls_mode::unset;
  /// `spec.portLevelMtls`: port → mode, ascending by port.
  std::map<uint32_t, mtls_mode> port_level_mtls;
  bool operator==(const peer_authentication&) const = default;
};

} // namespace ambient::kube
