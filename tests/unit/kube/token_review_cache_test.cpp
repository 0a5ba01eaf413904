#include <catch2/catch.hpp>

#include <string>

#include "base/sha256.hpp"
#include "kube/token_review_cache.hpp"

using namespace ambient::kube;
using namespace std::chrono_literals;
using cache = token_review_cache;

namespace {

const cache::time_point t0 = cache::time_point{} + 1'000'000s;

const review_key key_a = make_review_key("token-a", "c1", {"istio-ca"});

token_identity ident(const std::string& sa = "ztunnel") {
  return {"istio-system", sa, "ztunnel-x", "uid-1"};
}

review_failure verdict() {
  return {review_errc::not_authenticated, "the token is not authenticated"};
}

/// Completes a fresh review of `key` at `now` with `result`.
void fill(cache& c, const review_key& key, review_result result, cache::time_point now,
          std::optional<cache::time_point> exp = std::nullopt) {
  REQUIRE(c.begin(key, 1) == cache::begin_outcome::start_review);
  c.complete(key, std::move(result), now, exp);
}

} // namespace

TEST_CASE("a review key holds the token hash and never the token", "[kube]") {
  auto k = make_review_key("secret-token", "c1", {"b", "a", "b"});
  CHECK(k.token_sha256 == ambient::base::sha256_hex("secret-token"));
  CHECK(k.token_sha256.find("secret-token") == std::string::npos);
  CHECK(k.cluster_id == "c1");
  CHECK(k.audiences == std::vector<std::string>{"a", "b"});
  // Audience order does not matter; cluster and token do.
  CHECK(k == make_review_key("secret-token", "c1", {"a", "b"}));
  CHECK_FALSE(k == make_review_key("secret-token", "c2", {"a", "b"}));
  CHECK_FALSE(k == make_review_key("secret-tokeN", "c1", {"a", "b"}));
  CHECK_FALSE(k == make_review_key("secret-token", "c1", {"a"}));
}

TEST_CASE("an empty cache misses", "[kube]") {
  cache c;
  CHECK_FALSE(c.lookup(key_a, t0));
}

TEST_CASE("an accepted token is cached for the ttl", "[kube]") {
  cache c{{100, 60s, 5s}};
  fill(c, key_a, ident(), t0);
  auto hit = c.lookup(key_a, t0 + 59s);
  REQUIRE(hit);
  CHECK(std::get<token_identity>(*hit) == ident());
  CHECK_FALSE(c.lookup(key_a, t0 + 60s));
  CHECK(c.size() == 0); // the expired entry was dropped
}

TEST_CASE("an accepted token is cached no longer than its exp", "[kube]") {
  cache c{{100, 60s, 5s}};
  fill(c, key_a, ident(), t0, t0 + 10s);
  CHECK(c.lookup(key_a, t0 + 9s));
  CHECK_FALSE(c.lookup(key_a, t0 + 10s));
  // An exp later than the ttl does not extend it.
  fill(c, key_a, ident(), t0, t0 + 1h);
  CHECK(c.lookup(key_a, t0 + 59s));
  CHECK_FALSE(c.lookup(key_a, t0 + 61s));
}

TEST_CASE("an accepted token already past its exp is not cached", "[kube]") {
  cache c;
  fill(c, key_a, ident(), t0, t0 - 1s);
  CHECK(c.size() == 0);
  CHECK_FALSE(c.lookup(key_a, t0));
}

TEST_CASE("a verdict against the token is cached for the negative ttl only", "[kube]") {
  cache c{{100, 60s, 5s}};
  fill(c, key_a, verdict(), t0);
  auto hit = c.lookup(key_a, t0 + 4s);
  REQUIRE(hit);
  CHECK(std::get<review_failure>(*hit) == verdict());
  CHECK_FALSE(c.lookup(key_a, t0 + 5s));
}

TEST_CASE("a negative ttl of zero caches no verdict", "[kube]") {
  cache c{{100, 60s, 0s}};
  fill(c, key_a, verdict(), t0);
  CHECK(c.size() == 0);
}

TEST_CASE("failures that say nothing about the token are not cached", "[kube]") {
  cache c;
  fill(c, key_a, review_failure{review_errc::bad_response, "TokenReview response: status: missing"},
       t0);
  CHECK_FALSE(c.lookup(key_a, t0));
  fill(c, key_a, review_failure{review_errc::review_failed, "HTTP 503"}, t0);
  CHECK_FALSE(c.lookup(key_a, t0));
  CHECK(c.size() == 0);
}

TEST_CASE("the cache keeps at most max entries and evicts the least recently used", "[kube]") {
  cache c{{3, 60s, 5s}};
  auto k = [](int i) {
    return make_review_key("token-" + std::to_string(i), "c1", {"istio-ca"});
  };
  for (int i = 0; i < 3; ++i)
    fill(c, k(i), ident("sa" + std::to_string(i)), t0);
  CHECK(c.size() == 3);
  CHECK(c.lookup(k(0), t0 + 1s)); // 0 is now the most recently used; 1 the least
  fill(c, k(3), ident("sa3"), t0 + 2s);
  CHECK(c.size() == 3);
  CHECK_FALSE(c.lookup(k(1), t0 + 2s));
  CHECK(c.lookup(k(0), t0 + 2s));
  CHECK(c.lookup(k(2), t0 + 2s));
  CHECK(c.lookup(k(3), t0 + 2s));
}

TEST_CASE("a full cache drops expired entries before live ones", "[kube]") {
  cache c{{2, 60s, 5s}};
  auto k1 = make_review_key("t1", "c1", {});
  auto k2 = make_review_key("t2", "c1", {});
  auto k3 = make_review_key("t3", "c1", {});
  fill(c, k1, ident(), t0);
  fill(c, k2, verdict(), t0);   // expires at t0 + 5s
  CHECK(c.lookup(k2, t0 + 1s)); // k2 is the most recently used, k1 the least
  fill(c, k3, ident(), t0 + 10s);
  CHECK(c.lookup(k1, t0 + 10s)); // the live one stayed though it was least recently used
  CHECK(c.lookup(k3, t0 + 10s));
  CHECK(c.size() == 2);
}

TEST_CASE("prune drops every expired entry", "[kube]") {
  cache c{{100, 60s, 5s}};
  fill(c, make_review_key("t1", "c", {}), ident(), t0);
  fill(c, make_review_key("t2", "c", {}), verdict(), t0);
  fill(c, make_review_key("t3", "c", {}), ident(), t0, t0 + 3s);
  CHECK(c.prune(t0 + 1s) == 0);
  CHECK(c.prune(t0 + 5s) == 2);
  CHECK(c.size() == 1);
  CHECK(c.prune(t0 + 60s) == 1);
  CHECK(c.size() == 0);
}

TEST_CASE("a new result for a cached key replaces the old one", "[kube]") {
  cache c;
  fill(c, key_a, verdict(), t0);
  fill(c, key_a, ident(), t0 + 1s);
  CHECK(c.size() == 1);
  auto hit = c.lookup(key_a, t0 + 2s);
  REQUIRE(hit);
  CHECK(std::holds_alternative<token_identity>(*hit));
}

TEST_CASE("a thousand identical lookups start one review and release a thousand waiters",
          "[kube]") {
  cache c;
  size_t started = 0;
  for (review_waiter w = 0; w < 1000; ++w) {
    REQUIRE_FALSE(c.lookup(key_a, t0));
    if (c.begin(key_a, w) == cache::begin_outcome::start_review)
      ++started;
  }
  CHECK(started == 1);
  CHECK(c.in_flight() == 1);
  auto rel = c.complete(key_a, ident(), t0);
  REQUIRE(rel.waiters.size() == 1000);
  for (review_waiter w = 0; w < 1000; ++w)
    CHECK(rel.waiters[w] == w);
  CHECK(std::get<token_identity>(rel.result) == ident());
  CHECK(c.in_flight() == 0);
  CHECK(c.lookup(key_a, t0 + 1s)); // the next one hits the cache
}

TEST_CASE("reviews of different keys fly separately", "[kube]") {
  cache c;
  auto key_b = make_review_key("token-a", "c2", {"istio-ca"});
  CHECK(c.begin(key_a, 1) == cache::begin_outcome::start_review);
  CHECK(c.begin(key_b, 2) == cache::begin_outcome::start_review);
  CHECK(c.begin(key_a, 3) == cache::begin_outcome::joined);
  CHECK(c.complete(key_b, verdict(), t0).waiters == std::vector<review_waiter>{2});
  CHECK(c.complete(key_a, ident(), t0).waiters == std::vector<review_waiter>{1, 3});
}

TEST_CASE("fail all releases every waiter with the reason and caches nothing", "[kube]") {
  cache c;
  c.begin(key_a, 7);
  c.begin(key_a, 8);
  auto rel = c.fail_all(key_a, "the review took longer than 5s");
  CHECK(rel.waiters == std::vector<review_waiter>{7, 8});
  auto f = std::get<review_failure>(rel.result);
  CHECK(f.code == review_errc::review_failed);
  CHECK(f.message == "the review took longer than 5s");
  CHECK(c.in_flight() == 0);
  CHECK(c.size() == 0);
  // The next caller starts a new review.
  CHECK(c.begin(key_a, 9) == cache::begin_outcome::start_review);
}

TEST_CASE("a result arriving after fail all is cached and releases nobody", "[kube]") {
  cache c;
  c.begin(key_a, 1);
  c.fail_all(key_a, "timeout");
  auto rel = c.complete(key_a, ident(), t0);
  CHECK(rel.waiters.empty());
  CHECK(c.lookup(key_a, t0 + 1s));
  CHECK(c.fail_all(key_a, "again").waiters.empty());
}

TEST_CASE("a waiter that leaves is not released", "[kube]") {
  cache c;
  c.begin(key_a, 1);
  c.begin(key_a, 2);
  c.leave(key_a, 1);
  c.leave(key_a, 2);
  CHECK(c.in_flight() == 1); // the review still runs and its result is still cached
  CHECK(c.begin(key_a, 3) == cache::begin_outcome::joined);
  CHECK(c.complete(key_a, ident(), t0).waiters == std::vector<review_waiter>{3});
  c.leave(make_review_key("other", "c", {}), 4); // nothing in flight: no effect
}
