#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "base/openssl_ptr.hpp"

namespace ambient::sim {

/// A PEM certificate and its PEM private key.
struct cert_and_key {
  std::string cert_pem;
  std::string key_pem;
};

/// A throwaway certificate authority made at start-up (ECDSA P-256, SHA-256, 1-year validity,
/// serials random). The simulated API servers present certificates it issues, and their clients
/// trust it through the kubeconfigs the simulator writes.
class certificate_authority {
public:
  /// Creates a fresh self-signed CA with the given common name. Throws std::runtime_error on
  /// OpenSSL failure (naming the step).
  static certificate_authority create(const std::string& common_name);

  /// The CA certificate, PEM.
  const std::string& cert_pem() const;

  /// The CA private key, PEM (PKCS#8).
  const std::string& key_pem() const;

  /// Issues a TLS server certificate (serverAuth EKU) with DNS and IP SANs. Throws
  /// std::invalid_argument for an IP address that does not parse, std::runtime_error on OpenSSL
  /// failure.
  cert_and_key issue_server(const std::string& common_name,
                            const std::vector<std::string>& dns_names,
                            const std::vector<std::string>& ip_addresses) const;

  /// Issues a TLS client certificate (clientAuth EKU); Kubernetes reads the user from CN and groups
  /// from O (one O entry per organization).
  cert_and_key issue_client(const std::string& common_name,
                            const std::vector<std::string>& organizations) const;

  /// Issues a workload certificate as Istio's CA does: clientAuth and serverAuth EKU, the given URI
  /// SANs (e.g. "spiffe://cluster.local/ns/default/sa/echo"), plus optional DNS/IP SANs, in that
  /// order. An empty common name leaves the subject empty (as Istio's certificates are) and marks
  /// the SAN extension critical. Throws std::invalid_argument for an IP address that does not
  /// parse, std::runtime_error on OpenSSL failure.
  cert_and_key issue_workload(const std::string& common_name,
                              const std::vector<std::string>& uri_sans,
                              const std::vector<std::string>& dns_names = {},
                              const std::vector<std::string>& ip_addresses = {}) const;

private:
  certificate_authority(std::string cert_pem, std::string key_pem);

  std::string cert_pem_;
  std::string key_pem_;
};

/// A fresh EC P-256 key pair (the CA's, the certificates' and the service-account token
/// signers'). Throws std::runtime_error on OpenSSL failure.
base::pkey_ptr make_p256_key();

/// Returns `n` random bytes as lowercase hex (RAND_bytes); used for bearer tokens and UIDs. Throws
/// std::runtime_error if the random generator fails.
std::string random_hex(size_t n);

/// Returns the common name of the subject of a PEM certificate; empty if the PEM does not parse or
/// the subject has no CN.
std::string subject_common_name(const std::string& cert_pem);

} // namespace ambient::sim
