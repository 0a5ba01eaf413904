#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <list>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kube/token_review.hpp"

/// The cache and single-flight core of TokenReviews, for the actor that sends them: identical
/// reviews in flight are coalesced, and verdicts are remembered for a while so a ztunnel's many
/// calls (an XDS stream, a CSR per identity) cost one review. Pure: time is an input, waiters are
/// opaque numbers the actor maps to its promises.
namespace ambient::kube {

/// What a review is keyed by: the token's SHA-256 (the token itself is never stored), the cluster
/// the review goes to (after choose_review_cluster, so "" and an alias share the config cluster's
/// entries) and the audiences, sorted and deduplicated (the API server treats them as a set).
struct review_key {
  std::string token_sha256;
  std::string cluster_id;
  std::vector<std::string> audiences;

  auto operator<=>(const review_key&) const = default;
  bool operator==(const review_key&) const = default;
};

/// The key of reviewing `token` against `cluster_id` for `audiences`.
review_key make_review_key(std::string_view token, std::string_view cluster_id,
                           std::vector<std::string> audiences);

/// An opaque handle of whoever waits for a review (the actor's promise or callback id).
using review_waiter = uint64_t;

/// The cache and single-flight table.
///
/// Lifetimes: an accepted token is cached until min(its `exp`, now + ttl): the ttl bounds how long
/// a deleted pod or service account stays accepted (istiod reviews every call and caches nothing).
/// A verdict against the token (see is_verdict) is cached for negative_ttl only, so a ztunnel that
/// retries with a bad token does not hammer the API server, while a token that becomes valid (a
/// pod the API server did not know yet) is accepted soon after. Failures that say nothing about
/// the token (timeouts, transport errors, a garbled response) are never cached: the next call
/// retries. Bounded: past max_entries, expired entries go first, then the least recently used.
class token_review_cache {
public:
  using time_point = std::chrono::system_clock::time_point; ///< wall clock, as a JWT's `exp`

  /// Tunables.
  struct params {
    size_t max_entries = 10000;
    std::chrono::seconds ttl{60};
    std::chrono::seconds negative_ttl{5};
  };

  /// Whether begin() asked for a review or joined one in flight.
  enum class begin_outcome : uint8_t { start_review, joined };

  /// Who to tell and what, when a review ends.
  struct release {
    std::vector<review_waiter> waiters; ///< in the order they began
    review_result result;
  };

  token_review_cache() = default;
  explicit token_review_cache(params p) : params_(p) {}

  /// The cached result for `key` if one is still fresh at `now`; an expired entry is dropped.
  std::optional<review_result> lookup(const review_key& key, time_point now);

  /// Adds `waiter` to the review of `key`: start_review when none was in flight (the caller must
  /// send it and later call complete or fail_all), joined otherwise.
  begin_outcome begin(const review_key& key, review_waiter waiter);

  /// Removes a waiter that gave up (its stream was cancelled); the review stays in flight.
  void leave(const review_key& key, review_waiter waiter);

  /// The review of `key` ended with `result` at `now`: caches it per the lifetimes above (a token
  /// `exp` in `token_expiry` bounds an accepted token's entry) and releases every waiter. A result
  /// with nobody in flight (it came after fail_all) is still cached and releases nobody.
  release complete(const review_key& key, review_result result, time_point now,
                   std::optional<time_point> token_expiry = std::nullopt);

  /// Ends the review of `key` without a verdict (its deadline passed, the request failed): every
  /// waiter gets a review_failed with `reason`; nothing is cached.
  release fail_all(const review_key& key, std::string reason);

  /// Drops every entry expired at `now`; returns how many.
  size_t prune(time_point now);

  /// Cached entries (not counting reviews in flight).
  size_t size() const {
    return index_.size();
  }
  /// Reviews in flight.
  size_t in_flight() const {
    return flights_.size();
  }

private:
  struct node {
    review_key key;
    review_result result;
    time_point expires;
  };
  using node_list = std::list<node>;

  void store(const review_key& key, review_result result, time_point expires, time_point now);
  void erase(node_list::iterator it);

  params params_;
  node_list lru_; ///< most recently used first
  std::map<review_key, node_list::iterator> index_;
  std::multimap<time_point, node_list::iterator> expiries_;
  std::map<review_key, std::vector<review_waiter>> flights_;
};

} // namespace ambient::kube
