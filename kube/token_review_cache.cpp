#include "kube/token_review_cache.hpp"

#include <algorithm>
#include <utility>

#include "base/sha256.hpp"

namespace ambient::kube {

review_key make_review_key(std::string_view token, std::string_view cluster_id,
                           std::vector<std::string> audiences) {
  std::sort(audiences.begin(), audiences.end());
  audiences.erase(std::unique(audiences.begin(), audiences.end()), audiences.end());
  return {base::sha256_hex(token), std::string{cluster_id}, std::move(audiences)};
}

std::optional<review_result> token_review_cache::lookup(const review_key& key, time_point now) {
  auto it = index_.find(key);
  if (it == index_.end())
    return std::nullopt;
  auto n = it->second;
  if (n->expires <= now) {
    erase(n);
    return std::nullopt;
  }
  lru_.splice(lru_.begin(), lru_, n);
  return n->result;
}

token_review_cache::begin_outcome token_review_cache::begin(const review_key& key,
                                                            review_waiter waiter) {
  auto [it, inserted] = flights_.try_emplace(key);
  it->second.push_back(waiter);
  return inserted ? begin_outcome::start_review : begin_outcome::joined;
}

void token_review_cache::leave(const review_key& key, review_waiter waiter) {
  auto it = flights_.find(key);
  if (it == flights_.end())
    return;
  auto& ws = it->second;
  ws.erase(std::remove(ws.begin(), ws.end(), waiter), ws.end());
}

token_review_cache::release token_review_cache::complete(const review_key& key,
                                                         review_result result, time_point now,
                                                         std::optional<time_point> token_expiry) {
  release out{{}, std::move(result)};
  if (auto it = flights_.find(key); it != flights_.end()) {
    out.waiters = std::move(it->second);
    flights_.erase(it);
  }
  std::optional<time_point> expires;
  if (std::holds_alternative<token_identity>(out.result)) {
    expires = now + params_.ttl;
    if (token_expiry)
      expires = std::min(*expires, *token_expiry);
  } else if (is_verdict(std::get<review_failure>(out.result).code)) {
    expires = now + params_.negative_ttl;
  }
  if (expires && *expires > now)
    store(key, out.result, *expires, now);
  return out;
}

token_review_cache::release token_review_cache::fail_all(const review_key& key,
                                                         std::string reason) {
  release out{{}, review_failure{review_errc::review_failed, std::move(reason)}};
  if (auto it = flights_.find(key); it != flights_.end()) {
    out.waiters = std::move(it->second);
    flights_.erase(it);
  }
  return out;
}

size_t token_review_cache::prune(time_point now) {
  size_t dropped = 0;
  while (!expiries_.empty() && expiries_.begin()->first <= now) {
    erase(expiries_.begin()->second);
    ++dropped;
  }
  return dropped;
}

void token_review_cache::store(const review_key& key, review_result result, time_point expires,
                               time_point now) {
  if (params_.max_entries == 0)
    return;
  prune(now); // expired entries go before any live one is evicted
  if (auto it = index_.find(key); it != index_.end())
    erase(it->second);
  while (index_.size() >= params_.max_entries)
    erase(std::prev(lru_.end()));
  lru_.push_front({key, std::move(result), expires});
  index_.emplace(key, lru_.begin());
  expiries_.emplace(expires, lru_.begin());
}

void token_review_cache::erase(node_list::iterator n) {
  auto [first, last] = expiries_.equal_range(n->expires);
  for (auto e = first; e != last; ++e) {
    if (e->second == n) {
      expiries_.erase(e);
      break;
    }
  }
  index_.erase(n->key);
  lru_.erase(n);
}

} // namespace ambient::kube
