// The token reviewer against kube-sim's TokenReview: the cluster a caller names reviews its token,
// identical reviews are sent once, and a review that stalls fails its callers in time.
#include <catch2/catch.hpp>

#include <future>

#include <caf/all.hpp>

#include "actors/token_reviewer.hpp"
#include "messages/type_ids.hpp"
#include "sim/faults.hpp"
#include "support/actor_fixture.hpp"
#include "support/sim_fixture.hpp"
#include "support/sim_tokens.hpp"

using namespace ambient;
using namespace std::chrono_literals;
using Catch::Matchers::Contains;

namespace {

constexpr const char* ztunnel_id = "spiffe://cluster.local/ns/istio-system/sa/ztunnel";

/// Cluster 0 is the config cluster "primary"; cluster 1 is the remote "remote-1", where ztunnel-x
/// runs as istio-system/ztunnel on node-a.
struct reviewer_fixture : test::live_actor_fixture, test::sim_fixture {
  telemetry::registry metrics;
  caf::actor reviewer;
  std::string ztunnel_uid;
  test::https_client remote = client(1);

  reviewer_fixture() : sim_fixture(2) {
    test::create_service_account(remote, url("", 1), "istio-system", "ztunnel");
    ztunnel_uid
        = test::create_pod_as(remote, url("", 1), "istio-system", "ztunnel-x", "ztunnel", "node-a");
    actors::token_reviewer_config c;
    c.transport = std::make_shared<kube::transport>();
    c.config_cluster_id = "primary";
    c.config_cluster = settings(0);
    c.deadline = 1s;
    c.metrics = &metrics;
    reviewer = sys.spawn(actors::token_reviewer_impl, c);
    caf::anon_send(reviewer, messages::review_cluster_up{"remote-1", 1, settings(1)});
  }

  ~reviewer_fixture() {
    caf::anon_send_exit(reviewer, caf::exit_reason::user_shutdown);
  }

  std::string token(const std::vector<std::string>& audiences = {"istio-ca"}) {
    return test::bound_token(remote, url("", 1), "istio-system", "ztunnel", "ztunnel-x", audiences);
  }

  /// Starts a review; the future holds its verdict.
  std::future<xds::token_verdict> start(const std::string& token, const std::string& cluster) {
    auto p = std::make_shared<std::promise<xds::token_verdict>>();
    auto f = p->get_future();
    xds::call_credentials creds;
    creds.authorization = {"Bearer " + token};
    if (!cluster.empty())
      creds.cluster_ids = {cluster};
    caf::anon_send(reviewer, messages::token_review_ask{creds, [p](xds::token_verdict v) {
                                                          p->set_value(std::move(v));
                                                        }});
    return f;
  }

  xds::token_verdict ask(const std::string& token, const std::string& cluster) {
    auto f = start(token, cluster);
    REQUIRE(f.wait_for(10s) == std::future_status::ready);
    return f.get();
  }

  double reviews(const std::string& result) {
    return metrics
        .add_counter("ambientd_token_reviews_total",
                     "Service-account token authentications of TLS callers without a client "
                     "certificate, by result (cached: answered from the cache).",
                     {{"result", result}})
        .value();
  }
};

} // namespace

TEST_CASE_METHOD(reviewer_fixture,
                 "a token is reviewed by the remote cluster it names and gives its pod identity",
                 "[actors][integration]") {
  auto v = ask(token(), "remote-1");
  CHECK(v.error.empty());
  CHECK(v.spiffe_id == ztunnel_id);
  CHECK(v.cluster_id == "remote-1");
  CHECK(v.pod_name == "ztunnel-x");
  CHECK(v.pod_uid == ztunnel_uid);
  // Asked again it comes from the cache.
  CHECK(ask(token(), "remote-1").error.empty());
  CHECK(reviews("authenticated") == 2); // two tokens: two reviews
  auto first = token();
  ask(first, "remote-1");
  ask(first, "remote-1");
  CHECK(reviews("cached") == 1);
}

TEST_CASE_METHOD(reviewer_fixture,
                 "a token is refused by another cluster and for an unknown cluster",
                 "[actors][integration]") {
  auto t = token();
  auto by_primary = ask(t, "");
  CHECK_THAT(by_primary.error, Contains("cluster primary refused the token"));
  CHECK_THAT(ask(t, "primary").error, Contains("refused the token"));
  auto unknown = ask(t, "nowhere");
  CHECK_THAT(unknown.error, Contains("unknown cluster"));
  CHECK_THAT(unknown.error, Contains("remote-1"));
  // A cluster that is gone cannot review any more.
  caf::anon_send(reviewer, messages::review_cluster_down{"remote-1", 1});
  CHECK_THAT(ask(t, "remote-1").error, Contains("unknown cluster"));
}

TEST_CASE_METHOD(reviewer_fixture, "a token for another audience or of a deleted pod is refused",
                 "[actors][integration]") {
  CHECK_THAT(ask(token({"other"}), "remote-1").error, Contains("refused the token"));
  auto t = token();
  REQUIRE(remote.request("DELETE", url("/api/v1/namespaces/istio-system/pods/ztunnel-x", 1)).status
          == 200);
  CHECK_THAT(ask(t, "remote-1").error, Contains("refused the token"));
  CHECK_THAT(ask("not-a-jwt", "remote-1").error, Contains("refused the token"));
  auto none = ask("", "remote-1");
  CHECK_FALSE(none.error.empty());
}

TEST_CASE_METHOD(reviewer_fixture, "many callers with one token cost one review",
                 "[actors][integration]") {
  auto t = token();
  std::vector<std::future<xds::token_verdict>> pending;
  for (int i = 0; i < 200; ++i)
    pending.push_back(start(t, "remote-1"));
  for (auto& f : pending) {
    REQUIRE(f.wait_for(10s) == std::future_status::ready);
    CHECK(f.get().spiffe_id == ztunnel_id);
  }
  CHECK(reviews("authenticated") == 1);
}

TEST_CASE_METHOD(reviewer_fixture, "a stalled review fails its callers at the deadline",
                 "[actors][integration]") {
  cluster(1).faults().token_reviews = sim::token_review_fault::stall;
  auto started = std::chrono::steady_clock::now();
  auto v = ask(token(), "remote-1");
  CHECK_THAT(v.error, Contains("did not answer within 1000ms"));
  CHECK(std::chrono::steady_clock::now() - started < 5s);
  cluster(1).faults().token_reviews = sim::token_review_fault::none;
  // Nothing was cached: the next call reviews again and passes.
  CHECK(ask(token(), "remote-1").error.empty());
  cluster(1).faults().token_reviews = sim::token_review_fault::fail;
  CHECK_THAT(ask(token(), "remote-1").error, Contains("failed"));
}
