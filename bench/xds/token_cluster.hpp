#pragma once

#include <chrono>
#include <memory>
#include <string>

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>

#include "kube/connection_settings.hpp"
#include "sim/fleet.hpp"
#include "telemetry/metrics.hpp"
#include "xds/caller_authenticator.hpp"
#include "xds/server_credentials.hpp"

namespace ambient::bench {

/// Issue 24's token scenario, server side: a one-cluster kube-sim fleet where N ztunnel pods run
/// as istio-system/ztunnel (spread over 50 nodes), each with its own bound token (audience
/// istio-ca), and the pieces of ambientd's TLS listener that admit them: a throwaway CA's server
/// certificate for "localhost" and a token reviewer whose config cluster is the kube-sim cluster.
class token_cluster {
public:
  /// Starts kube-sim, creates the objects and tokens through its API routing, writes the CA and
  /// the tokens (one a line) to files in `dir`, and spawns the reviewer in `sys` (its review
  /// deadline `deadline`).
  token_cluster(caf::actor_system& sys, telemetry::registry& metrics, int ztunnels,
                const std::string& dir, std::chrono::milliseconds deadline);
  ~token_cluster();
  token_cluster(const token_cluster&) = delete;
  token_cluster& operator=(const token_cluster&) = delete;

  /// The cluster ID ztunnel sends as `clusterid` metadata.
  const std::string& cluster_id() const {
    return cluster_id_;
  }
  /// PEM file of the CA that signed the TLS listener's certificate.
  const std::string& ca_file() const {
    return ca_file_;
  }
  /// The bearer tokens, one a line: line i is ztunnel i's.
  const std::string& tokens_file() const {
    return tokens_file_;
  }
  /// TLS credentials of the listener (client certificates optional, as ztunnel has none).
  std::shared_ptr<grpc::ServerCredentials> server_credentials() const {
    return creds_;
  }
  /// Authenticates TLS callers as ambientd does: tokens go to the reviewer.
  xds::caller_authenticator authenticator() const;
  /// TokenReviews kube-sim's API server has served so far (its request log).
  size_t reviews_served() const;
  /// ambientd_token_reviews_total{result} in `metrics`.
  double reviews(const std::string& result) const;

private:
  std::unique_ptr<sim::fleet> fleet_;
  caf::actor_system& sys_;
  telemetry::registry& metrics_;
  caf::actor reviewer_;
  std::string cluster_id_, ca_file_, tokens_file_;
  std::shared_ptr<grpc::ServerCredentials> creds_;
};

} // namespace ambient::bench
