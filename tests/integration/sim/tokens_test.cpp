#include <catch2/catch.hpp>

#include <chrono>
#include <filesystem>
#include <future>
#include <thread>

#include <unistd.h>

#include "sim/demo_fleet.hpp"
#include "sim/fault_menu.hpp"
#include "sim/fleet.hpp"
#include "sim/json.hpp"
#include "support/https_client.hpp"

using namespace ambient;
using namespace std::chrono_literals;

namespace {

/// A two-cluster kube-sim fleet with ServiceAccount echo and pod echo-1 (running as echo) in
/// namespace default of each cluster.
struct token_fleet {
  std::unique_ptr<sim::fleet> fleet;

  token_fleet() {
    sim::fleet_options o;
    o.clusters = 2;
    o.threads = 2;
    fleet = std::make_unique<sim::fleet>(o);
    fleet->start();
    for (size_t i = 0; i < 2; ++i) {
      auto cl = client(i);
      REQUIRE(cl.request("POST", url(i, "/api/v1/namespaces/default/serviceaccounts"),
                         R"({"metadata":{"name":"echo"}})")
                  .status
              == 201);
      REQUIRE(cl.request("POST", url(i, "/api/v1/namespaces/default/pods"),
                         R"({"metadata":{"name":"echo-1"},"spec":{"serviceAccountName":"echo",)"
                         R"("containers":[{"name":"c","image":"echo"}]}})")
                  .status
              == 201);
    }
  }
  sim::sim_cluster& cluster(size_t i) {
    return fleet->cluster(i);
  }
  std::string url(size_t i, const std::string& path) {
    return cluster(i).server_url() + path;
  }
  test::https_client client(size_t i) {
    test::https_client cl;
    cl.ca_pem = cluster(i).ca_pem();
    cl.token = cluster(i).token();
    return cl;
  }
  /// A token of cluster i's echo bound to echo-1 for audience istio-ca.
  std::string token(size_t i) {
    auto r = client(i).request(
        "POST", url(i, "/api/v1/namespaces/default/serviceaccounts/echo/token"),
        R"({"apiVersion":"authentication.k8s.io/v1","kind":"TokenRequest","spec":{)"
        R"("audiences":["istio-ca"],"boundObjectRef":{"kind":"Pod","apiVersion":"v1","name":"echo-1"}}})");
    REQUIRE(r.status == 201);
    return sim::parse_json(r.body, nullptr)->at("status").at("token").get<std::string>();
  }
  test::https_client::response review(size_t i, const std::string& token) {
    return client(i).request("POST", url(i, "/apis/authentication.k8s.io/v1/tokenreviews"),
                             R"({"apiVersion":"authentication.k8s.io/v1","kind":"TokenReview",)"
                             R"("spec":{"audiences":["istio-ca"],"token":)"
                                 + sim::dump_json(token) + "}}");
  }
};

bool authenticated(const test::https_client::response& r) {
  REQUIRE(r.status == 201);
  auto doc = sim::parse_json(r.body, nullptr);
  REQUIRE(doc);
  return doc->at("status").at("authenticated").get<bool>();
}

} // namespace

TEST_CASE("kube-sim issues and reviews service account tokens over HTTPS", "[sim][tokens]") {
  token_fleet f;
  auto t0 = f.token(0);
  auto r = f.review(0, t0);
  CHECK(authenticated(r));
  CHECK(r.body.find(R"("username":"system:serviceaccount:default:echo")") != std::string::npos);
  CHECK(r.body.find(R"("authentication.kubernetes.io/pod-name":["echo-1"])") != std::string::npos);
  // Each cluster has its own key: cluster 1 does not know cluster 0's tokens.
  CHECK_FALSE(authenticated(f.review(1, t0)));
  CHECK(authenticated(f.review(1, f.token(1))));
  // The pod goes: its token stops working.
  REQUIRE(f.client(0).request("DELETE", f.url(0, "/api/v1/namespaces/default/pods/echo-1")).status
          == 200);
  CHECK_FALSE(authenticated(f.review(0, t0)));
}

TEST_CASE("token endpoints refuse callers without credentials", "[sim][tokens]") {
  token_fleet f;
  auto anonymous = f.client(0);
  anonymous.token.clear();
  CHECK(anonymous
            .request("POST", f.url(0, "/apis/authentication.k8s.io/v1/tokenreviews"),
                     R"({"spec":{"token":"x"}})")
            .status
        == 401);
  CHECK(
      anonymous
          .request("POST", f.url(0, "/api/v1/namespaces/default/serviceaccounts/echo/token"), "{}")
          .status
      == 401);
}

TEST_CASE("the tokenreview fault fails reviews until it is turned off", "[sim][tokens]") {
  token_fleet f;
  auto t = f.token(0);
  auto set = sim::apply_fault(f.cluster(0), "tokenreview", {{"mode", "fail"}});
  REQUIRE(set);
  CHECK(set->status == 200);
  auto r = f.review(0, t);
  CHECK(r.status == 500);
  CHECK(r.body.find("tokenreview injected by kube-sim") != std::string::npos);
  // TokenRequests and the other cluster are untouched.
  CHECK(f.token(0).size() > 100);
  CHECK(authenticated(f.review(1, f.token(1))));
  REQUIRE(sim::apply_fault(f.cluster(0), "tokenreview", {{"mode", "off"}}));
  CHECK(authenticated(f.review(0, t)));
  auto bad = sim::apply_fault(f.cluster(0), "tokenreview", {{"mode", "slow"}});
  REQUIRE(bad);
  CHECK(bad->status == 400);
}

TEST_CASE("the tokenreview stall holds reviews until it is cleared", "[sim][tokens]") {
  token_fleet f;
  auto t = f.token(0);
  REQUIRE(sim::apply_fault(f.cluster(0), "tokenreview", {{"mode", "stall"}}));
  auto pending = std::async(std::launch::async, [&] { return f.review(0, t); });
  // Held: still unanswered while the server keeps looking at it.
  auto deadline = std::chrono::steady_clock::now() + 10s;
  while (f.cluster(0).faults().held_token_reviews.load() < 5
         && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(20ms);
  CHECK(f.cluster(0).faults().held_token_reviews.load() >= 5);
  CHECK(pending.wait_for(0s) == std::future_status::timeout);
  REQUIRE(sim::apply_fault(f.cluster(0), "tokenreview", {{"mode", "off"}}));
  REQUIRE(pending.wait_for(10s) == std::future_status::ready);
  CHECK(authenticated(pending.get()));
}

TEST_CASE("the demo fleet pods can get tokens for their service accounts", "[sim][tokens]") {
  auto dir = std::filesystem::temp_directory_path()
             / ("ambient-sim-tokens-" + std::to_string(::getpid()));
  sim::demo_options o;
  o.dir = dir.string();
  {
    sim::demo_fleet demo{o};
    auto& c = demo.clusters().cluster(0);
    sim::object_filter f;
    f.namespace_ = "bookinfo";
    auto pods = c.data().list(*sim::find_resource("", "v1", "pods"), f, 0, {});
    REQUIRE_FALSE(pods.error);
    REQUIRE_FALSE(pods.items.empty());
    test::https_client cl;
    cl.ca_pem = c.ca_pem();
    cl.token = c.token();
    for (const auto& pod : pods.items) {
      auto doc = sim::parse_json(pod->json, nullptr);
      auto sa = doc->at("spec").at("serviceAccountName").get<std::string>();
      auto r = cl.request(
          "POST", c.server_url() + "/api/v1/namespaces/bookinfo/serviceaccounts/" + sa + "/token",
          R"({"spec":{"audiences":["istio-ca"],"boundObjectRef":{"kind":"Pod",)"
          R"("apiVersion":"v1","name":")"
              + pod->name + R"(","uid":")" + pod->uid + R"("}}})");
      INFO(pod->name << " " << r.body);
      CHECK(r.status == 201);
    }
  }
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
}
