#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "istio/security/authorization.pb.h"
#include "mesh/authorization_types.hpp"

/// The value conversions of istiod 1.28.3's AuthorizationPolicy translation
/// (pilot/pkg/serviceregistry/kube/controller/ambient/authorization.go, `stringToMatch`,
/// `stringToPort`, `stringToIP`, `stringToServiceAccountMatch`). Invalid entries are dropped
/// without a status message, as istiod drops them.
namespace ambient::mesh {

/// `*` → presence, `*x` → suffix x, `x*` → prefix x, anything else → exact.
istio::security::StringMatch string_match(std::string_view value);

/// Ports written in decimal (as Go's strconv.ParseUint: digits only, leading zeros allowed) and at
/// most 65535; anything else is dropped.
std::vector<uint32_t> parse_ports(const std::vector<std::string>& values);

/// An IP address (length 32 or 128) or a CIDR (its address as written, not masked, and the prefix
/// length), parsed as Go's netip.ParseAddr / ParsePrefix; nullopt when invalid.
std::optional<istio::security::Address> parse_address(std::string_view value);

/// `ns/sa` (split at the first `/`), or a bare `sa` in `policy_namespace`.
istio::security::ServiceAccountMatch service_account_match(std::string_view value,
                                                           std::string_view policy_namespace);

/// Appends the string matches of `values` to `out`.
void add_string_matches(const std::vector<std::string>& values,
                        google::protobuf::RepeatedPtrField<istio::security::StringMatch>& out);

/// Appends the valid addresses of `values` to `out`.
void add_addresses(const std::vector<std::string>& values,
                   google::protobuf::RepeatedPtrField<istio::security::Address>& out);

/// Appends the valid ports of `values` to `out`.
void add_ports(const std::vector<std::string>& values,
               google::protobuf::RepeatedField<uint32_t>& out);

/// Appends the service account matches of `values` to `out`.
void add_service_accounts(
    const std::vector<std::string>& values, std::string_view policy_namespace,
    google::protobuf::RepeatedPtrField<istio::security::ServiceAccountMatch>& out);

} // namespace ambient::mesh
