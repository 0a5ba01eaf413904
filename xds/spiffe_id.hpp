#pragma once

#include <optional>
#include <string>
#include <string_view>

/// Istio's workload identities as SPIFFE IDs: "spiffe://<trust-domain>/ns/<namespace>/sa/<sa>".
namespace ambient::xds {

/// A parsed Istio SPIFFE identity.
struct spiffe_id {
  std::string trust_domain;
  std::string namespace_;
  std::string service_account;

  /// "spiffe://<trust-domain>/ns/<namespace>/sa/<service-account>".
  std::string to_string() const;
  friend bool operator==(const spiffe_id&, const spiffe_id&) = default;
};

/// Parses an Istio SPIFFE identity as istiod does: the "spiffe://" scheme, then exactly five
/// '/'-separated parts whose second is "ns" and fourth is "sa". Anything else is nullopt.
std::optional<spiffe_id> parse_spiffe_id(std::string_view text);

} // namespace ambient::xds
