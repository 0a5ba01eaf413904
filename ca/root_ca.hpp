#pragma once

#include <chrono>
#include <string>

#include "ca/ca_error.hpp"
#include "ca/cert_builder.hpp"
#include "ca/signing_bundle.hpp"

namespace ambient::ca {

/// How to make a self-signed root (istiod's self-signed CA, is:security/pkg/pki/ca/ca.go
/// NewSelfSignedIstioCAOptions).
struct root_options {
  /// The subject is O=<trust_domain>, as istiod's (its `org` is the mesh trust domain).
  std::string trust_domain = "cluster.local";
  /// RSA-2048 like istiod by default; EC P-256 signs faster.
  key_kind key = key_kind::rsa_2048;
  /// istiod's CITADEL_SELF_SIGNED_CA_CERT_TTL default: 10 years.
  std::chrono::seconds ttl{std::chrono::hours{24 * 3650}};
};

/// A new self-signed root that signs workloads itself: subject and issuer O=<trust domain>,
/// notBefore `now`, critical basicConstraints CA:TRUE and keyUsage keyCertSign, a subject key
/// identifier. The bundle's chain is empty and its roots are the certificate itself.
result<signing_bundle> generate_root(const root_options& options,
                                     std::chrono::system_clock::time_point now);

/// Seconds from `now` until the first root of the bundle expires (negative once it has): istiod's
/// `citadel_server_root_cert_expiry_seconds`. Zero when the bundle has no root.
long long root_expiry_seconds(const signing_bundle& ca, std::chrono::system_clock::time_point now);

} // namespace ambient::ca
