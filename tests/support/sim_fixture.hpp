#pragma once

#include <memory>
#include <string>

#include "kube/transport.hpp"
#include "sim/fleet.hpp"
#include "support/https_client.hpp"

namespace ambient::test {

/// An in-process kube-sim fleet on 127.0.0.1 with fast bookmarks (unless told otherwise); stops
/// when the test ends.
struct sim_fixture {
  explicit sim_fixture(size_t clusters = 1, bool client_cert_auth = false,
                       std::chrono::milliseconds bookmark_interval
                       = std::chrono::milliseconds{200}) {
    sim::fleet_options o;
    o.clusters = clusters;
    o.client_cert_auth = client_cert_auth;
    o.threads = 2;
    o.server.bookmark_interval = bookmark_interval;
    fleet = std::make_unique<sim::fleet>(o);
    fleet->start();
  }

  sim::sim_cluster& cluster(size_t i = 0) {
    return fleet->cluster(i);
  }

  /// ambientd's transport settings for the cluster with its current credentials (token, or
  /// client certificate).
  kube::connection_settings settings(size_t i = 0, bool use_cert = false) {
    auto& c = cluster(i);
    kube::connection_settings s;
    s.server = c.server_url();
    s.ca_pem = c.ca_pem();
    if (use_cert) {
      auto cert = c.client_certificate();
      s.client_cert_pem = cert.cert_pem;
      s.client_key_pem = cert.key_pem;
    } else {
      s.token = c.token();
    }
    return s;
  }

  /// A client holding the cluster's current credentials (token, or client certificate).
  https_client client(size_t i = 0, bool use_cert = false) {
    auto s = settings(i, use_cert);
    https_client cl;
    cl.ca_pem = s.ca_pem;
    cl.token = s.token;
    cl.client_cert_pem = s.client_cert_pem;
    cl.client_key_pem = s.client_key_pem;
    return cl;
  }

  std::string url(const std::string& path, size_t i = 0) {
    return cluster(i).server_url() + path;
  }

  std::unique_ptr<sim::fleet> fleet;
};

} // namespace ambient::test
