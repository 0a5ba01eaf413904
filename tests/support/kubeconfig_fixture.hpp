#pragma once

#include <string>

#include "base/base64.hpp"

/// Kubeconfig fixtures for the kube tests: credentials that must never leak into messages, and a
/// kubeconfig as istioctl create-remote-secret writes it, each part replaceable.
namespace ambient::test::kubeconfig_fixture {

inline const std::string token = "s3cr3t-token-value";
inline const std::string ca
    = "-----BEGIN CERTIFICATE-----\nMIIcafakebytes\n-----END CERTIFICATE-----\n";
inline const std::string cert
    = "-----BEGIN CERTIFICATE-----\nMIIclientcert\n-----END CERTIFICATE-----\n";
inline const std::string key
    = "-----BEGIN EC PRIVATE KEY-----\nMHckeybytes\n-----END EC PRIVATE KEY-----\n";

/// Standard base64 with padding, to build fixtures.
inline std::string b64(const std::string& in) {
  return base::encode_base64(in);
}

/// A kubeconfig as istioctl create-remote-secret writes it; each part can be replaced.
struct kubeconfig_builder {
  std::string cluster = "    server: https://10.0.0.1:6443\n"
                        "    certificate-authority-data: "
                        + b64(ca) + "\n";
  std::string user = "    token: " + token + "\n";
  std::string context = "    cluster: c1\n    user: admin\n";
  std::string current = "ctx";

  std::string text() const {
    return "apiVersion: v1\nkind: Config\n"
           "clusters:\n- name: c1\n  cluster:\n"
           + cluster + "users:\n- name: admin\n  user:\n" + user
           + "contexts:\n- name: ctx\n  context:\n" + context
           + (current.empty() ? "" : "current-context: " + current + "\n");
  }
};

} // namespace ambient::test::kubeconfig_fixture
