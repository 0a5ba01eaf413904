#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <caf/event_based_actor.hpp>
#include <caf/stateful_actor.hpp>

#include "actors/instrumented.hpp"
#include "kube/connection_settings.hpp"
#include "kube/token_review_cache.hpp"
#include "kube/transport.hpp"
#include "telemetry/log.hpp"
#include "telemetry/metrics.hpp"
#include "xds/call_credentials.hpp"

namespace ambient::actors {

/// What the token reviewer needs.
struct token_reviewer_config {
  std::shared_ptr<kube::transport> transport;
  std::string config_cluster_id;
  /// The config cluster's API server; empty: only remote clusters review tokens.
  std::optional<kube::connection_settings> config_cluster;
  /// The audiences a token must carry (istiod's TOKEN_AUDIENCES, default istio-ca).
  std::vector<std::string> audiences{"istio-ca"};
  /// The mesh's trust domain: identities are spiffe://<trust domain>/ns/<ns>/sa/<sa>.
  std::string trust_domain = "cluster.local";
  /// A caller whose review has not answered by then is refused (UNAUTHENTICATED), never hangs;
  /// the review itself goes on, and its verdict is cached for the callers that come next.
  std::chrono::milliseconds deadline{5000};
  /// The review clients' rate limits: a fleet of ztunnels starting at once brings one token each,
  /// so client-go's 50 requests a second would queue a thousand reviews for 20 s.
  kube::client_limits limits{500, 1000};
  kube::token_review_cache::params cache;
  telemetry::registry* metrics = &telemetry::default_registry();
};

/// The reviews in flight: which cluster, the token's unverified expiry (bounds the cache entry).
struct review_flight {
  kube::review_key key;
  std::optional<std::chrono::system_clock::time_point> expiry;
};

/// State of the token reviewer: the cache and single-flight core, a transport client per cluster,
/// and the callers waiting.
struct token_reviewer_state {
  static inline const char* name = "token_reviewer";

  token_reviewer_state() = default;
  token_reviewer_state(const token_reviewer_state&) = delete;
  token_reviewer_state& operator=(const token_reviewer_state&) = delete;
  /// Removes its transport clients (cancelling their reviews).
  ~token_reviewer_state();

  token_reviewer_config cfg;
  kube::token_review_cache cache;
  /// Transport clients by cluster ID; remote ones carry their generation.
  struct cluster_client {
    uint64_t generation = 0;
    kube::transport::client_id client = 0;
  };
  std::map<std::string, cluster_client> clusters;
  /// A caller waiting for a review.
  struct waiter_entry {
    kube::review_key key;
    std::function<void(xds::token_verdict)> done;
  };
  std::map<uint64_t, waiter_entry> waiters;
  uint64_t next_waiter = 1;
  std::map<uint64_t, review_flight> flights; ///< by ticket (= the api_response ticket)
  uint64_t next_ticket = 1;
  /// ambientd_token_reviews_total by result.
  std::map<std::string, telemetry::counter*> results;
  std::shared_ptr<spdlog::logger> log;
};

using token_reviewer_ptr = instrumented_actor<token_reviewer_state>*;

/// Turns ztunnel's service-account tokens into identities as istiod does: a TokenReview against
/// the API server of the cluster the caller's `clusterid` names (the config cluster, or a remote
/// cluster cluster_store announced), with the configured audiences. Identical reviews in flight
/// are sent once; verdicts are cached (kube::token_review_cache); a caller whose review has not
/// answered within the deadline is refused, while the review goes on and its verdict is cached.
/// Callers hand it messages::token_review_ask from gRPC threads and are called back on the
/// reviewer's thread.
caf::behavior token_reviewer_impl(token_reviewer_ptr self, token_reviewer_config cfg);

} // namespace ambient::actors
