#pragma once

#include <string>

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
  static const char* digits = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    auto n = static_cast<unsigned>(static_cast<unsigned char>(in[i])) << 16
             | static_cast<unsigned>(static_cast<unsigned char>(in[i + 1])) << 8
             | static_cast<unsigned>(static_cast<unsigned char>(in[i + 2]));
    for (int s : {18, 12, 6, 0})
      out.push_back(digits[(n >> s) & 63]);
  }
  if (i < in.size()) {
    auto n = static_cast<unsigned>(static_cast<unsigned char>(in[i])) << 16;
    if (i + 1 < in.size())
      n |= static_cast<unsigned>(static_cast<unsigned char>(in[i + 1])) << 8;
    out.push_back(digits[(n >> 18) & 63]);
    out.push_back(digits[(n >> 12) & 63]);
    out.push_back(i + 1 < in.size() ? digits[(n >> 6) & 63] : '=');
    out.push_back('=');
  }
  return out;
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
