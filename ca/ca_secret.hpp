#pragma once

#include <chrono>
#include <map>
#include <string>

#include "ca/ca_error.hpp"
#include "ca/signing_bundle.hpp"

namespace ambient::ca {

/// Reads the CA's key and certificates from the data of a Secret (values decoded, not base64), in
/// any of istiod's three layouts (is:security/pkg/pki/ca/ca.go,
/// is:pilot/pkg/bootstrap/istio_ca.go):
/// - plugged-in `cacerts`: ca-cert.pem, ca-key.pem, cert-chain.pem, root-cert.pem;
/// - istiod's self-signed `istio-ca-secret`: ca-cert.pem and ca-key.pem (the root is ca-cert.pem
///   when root-cert.pem is absent or empty);
/// - kubernetes.io/tls: tls.crt, tls.key, ca.crt (the chain is tls.crt then ca.crt, as istiod
///   reads it).
/// Checks that the key matches the certificate, that the certificate is a CA, and that it verifies
/// at `now` against the roots through the chain. An error names the key that is wrong and never
/// quotes key material.
result<signing_bundle> load_signing_bundle(const std::map<std::string, std::string>& data,
                                           std::chrono::system_clock::time_point now);

/// The `istio-ca-secret` data for a bundle, as istiod stores its self-signed root: ca-cert.pem,
/// ca-key.pem, root-cert.pem, and cert-chain.pem and key.pem (empty for a root).
std::map<std::string, std::string> to_secret_data(const signing_bundle& ca);

} // namespace ambient::ca
