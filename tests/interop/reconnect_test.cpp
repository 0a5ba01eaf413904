// A delta ADS client, as ztunnel reconnects, across ambientd processes: after ambientd restarts,
// and to another replica, the client sends the initial_resource_versions it holds and ends up
// with exactly the server's current state, told of the names that vanished meanwhile through
// removed_resources.
#include <catch2/catch.hpp>

#include <map>
#include <set>
#include <thread>

#include "sim/workload.hpp"
#include "support/ambientd_harness.hpp"
#include "support/delta_client.hpp"
#include "support/eventually.hpp"

using namespace ambient;
using namespace std::chrono_literals;
using test::delta_client;

namespace {

/// Everything a fresh wildcard client of `target` gets in its first response: the server's state.
std::map<std::string, std::string> fresh_state(const std::string& target) {
  delta_client c{target};
  c.send({"*"});
  c.read();
  c.ctx.TryCancel();
  std::map<std::string, std::string> out;
  for (const auto& [name, a] : c.held)
    out[name] = a.SerializeAsString();
  return out;
}

std::map<std::string, std::string> held_state(const delta_client& c) {
  std::map<std::string, std::string> out;
  for (const auto& [name, a] : c.held)
    out[name] = a.SerializeAsString();
  return out;
}

/// A client that held `before` reconnects to `target` with those versions; returns it after its
/// first response, with the names that response removed.
struct reconnected {
  std::unique_ptr<delta_client> client;
  std::set<std::string> removed;
};

reconnected reconnect(const std::string& target, const delta_client& before) {
  reconnected r{std::make_unique<delta_client>(target), {}};
  r.client->held = before.held; // what the client still holds
  r.client->versions = before.versions;
  r.client->send({"*"}, {}, "", "", before.versions);
  auto resp = r.client->read();
  for (const auto& n : resp.removed_resources())
    r.removed.insert(n);
  r.client->send({}, {}, resp.nonce());
  return r;
}

void add_pod(sim::sim_cluster& c, const std::string& name, const std::string& ip) {
  test::must_create_pod(c, "app-1", name, ip, {{"app", "svc-1"}});
}

/// Waits (30 s) until `target`'s merged view holds `pred` (a fresh wildcard client's view).
template <class Pred>
bool wait_state(const std::string& target, Pred pred) {
  return test::eventually([&] { return pred(fresh_state(target)); }, 30s, 200ms);
}

} // namespace

TEST_CASE("a delta client reconnecting to a restarted ambientd and to another replica with its "
          "initial_resource_versions gets the current state and removals for vanished names",
          "[interop]") {
  test::ambientd_harness h{2, "ambientd-reconnect"};
  h.seed_remote(1, {2, 2, 4, 10, true});
  add_pod(h.cluster(1), "doomed-a", "10.4.9.1");
  add_pod(h.cluster(1), "doomed-b", "10.4.9.2");
  h.start();
  REQUIRE(h.wait_log(R"(merged view: clusters \[cluster-1,cluster-2\])"));

  delta_client z{h.xds_target()};
  z.send({"*"});
  REQUIRE(z.read_until([&] { return !z.workload_named("doomed-b").empty(); }));
  const auto doomed_a = z.workload_named("doomed-a");
  const auto doomed_b = z.workload_named("doomed-b");
  REQUIRE(!doomed_a.empty());
  z.ctx.TryCancel();

  // ambientd restarts; meanwhile one pod goes and one comes.
  h.start();
  test::must_remove(h.cluster(1), "pods", "app-1", "doomed-a");
  add_pod(h.cluster(1), "newcomer", "10.4.9.3");
  auto has_newcomer_without_a = [&](const std::map<std::string, std::string>& s) {
    bool newcomer = false;
    for (const auto& [name, bytes] : s)
      newcomer = newcomer || name.find("/newcomer") != std::string::npos;
    return newcomer && !s.contains(doomed_a);
  };
  REQUIRE(wait_state(h.xds_target(), has_newcomer_without_a));

  auto after_restart = reconnect(h.xds_target(), z);
  CHECK(after_restart.removed == std::set<std::string>{doomed_a});
  CHECK(held_state(*after_restart.client) == fresh_state(h.xds_target()));
  CHECK_FALSE(after_restart.client->workload_named("newcomer").empty());

  // A second replica serves the same view; the client moves to it after another pod vanished.
  auto replica = h.launch();
  REQUIRE(
      replica.child->wait_log(std::regex{R"(merged view: clusters \[cluster-1,cluster-2\])"}, 30s));
  after_restart.client->ctx.TryCancel();
  test::must_remove(h.cluster(1), "pods", "app-1", "doomed-b");
  auto without_b = [&](const std::map<std::string, std::string>& s) {
    return !s.empty() && !s.contains(doomed_b);
  };
  REQUIRE(wait_state(replica.xds_target(), without_b));
  REQUIRE(wait_state(h.xds_target(), without_b));
  auto on_replica = reconnect(replica.xds_target(), *after_restart.client);
  CHECK(on_replica.removed == std::set<std::string>{doomed_b});
  CHECK(held_state(*on_replica.client) == fresh_state(replica.xds_target()));
  // Both replicas agree on what a client sees.
  CHECK(fresh_state(replica.xds_target()) == fresh_state(h.xds_target()));
  std::cout << "--- replica log\n" << replica.child->log();
  CHECK(replica.child->stop() == 0);
  CHECK(h.ambientd->stop() == 0);
}
