// Fuzzes what a caller without a client certificate sends and what the API server answers: gRPC
// metadata through xds::bearer_token and xds::cluster_id, the bearer token (and a third part taken
// as a token too) through kube::peek_jwt_claims, and a TokenReview response through
// kube::parse_token_review, whose verdict then goes through the review cache; the token line as a
// SPIFFE identity through istiod's XDS identity check against the cluster claim as a node id.
// Input: metadata lines "key:value" up to an empty line, then a token line, then the response body.
#include <string>
#include <vector>

#include "kube/jwt_peek.hpp"
#include "kube/token_review.hpp"
#include "kube/token_review_cache.hpp"
#include "tests/fuzz/fuzz_input.hpp"
#include "xds/caller_credentials.hpp"
#include "xds/node_identity_check.hpp"
#include "xds/spiffe_id.hpp"

using namespace ambient;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::input in{data, size};
  const std::string_view block = in.until("\n\n");
  xds::metadata_view md;
  for (fuzz::input lines{reinterpret_cast<const uint8_t*>(block.data()), block.size()};
       !lines.empty();) {
    auto line = lines.until("\n");
    auto colon = line.find(':');
    if (colon == std::string_view::npos)
      md.emplace_back(line, std::string_view{});
    else
      md.emplace_back(line.substr(0, colon), line.substr(colon + 1));
  }
  auto bearer = xds::bearer_token(md);
  if (auto* e = std::get_if<xds::credentials_error>(&bearer); e && e->message.empty())
    __builtin_trap(); // a refusal always says why
  auto claim = xds::cluster_id(md);
  if (!claim.id.empty() && claim.values != 1)
    __builtin_trap(); // only a single value names a cluster
  if (auto* t = std::get_if<std::string_view>(&bearer)) {
    auto peeked = kube::peek_jwt_claims(*t);
    if (auto* e = std::get_if<kube::decode_error>(&peeked); e && e->message.empty())
      __builtin_trap();
  }
  auto token = in.until("\n");
  auto peeked = kube::peek_jwt_claims(token);
  if (auto* e = std::get_if<kube::decode_error>(&peeked); e && e->message.empty())
    __builtin_trap();
  auto result = kube::parse_token_review(in.rest());
  if (auto* f = std::get_if<kube::review_failure>(&result); f && f->message.empty())
    __builtin_trap();
  kube::token_review_cache cache{{2, std::chrono::seconds{60}, std::chrono::seconds{5}}};
  auto key = kube::make_review_key(token, claim.id, {"istio-ca"});
  const auto now = kube::token_review_cache::time_point{} + std::chrono::hours{1};
  if (cache.begin(key, 1) != kube::token_review_cache::begin_outcome::start_review)
    __builtin_trap();
  auto rel = cache.complete(key, result, now);
  if (rel.waiters.size() != 1 || cache.in_flight() != 0 || cache.size() > 1)
    __builtin_trap();
  // The token line as an identity, the cluster claim as a node id: istiod's XDS identity check.
  auto id = xds::parse_spiffe_id(token);
  if (id && xds::parse_spiffe_id(id->to_string()) != id)
    __builtin_trap(); // what parses round-trips
  auto refusal = xds::node_identity_refusal({std::string{token}},
                                            {std::string{claim.id}, std::string{}, std::string{}});
  if (!id && refusal.empty())
    __builtin_trap(); // an identity that does not parse never matches a node
  return 0;
}
