// A paused leader, through the ambientd binary: SIGSTOP the leader past its lease, let another
// replica take over, SIGCONT it. The paused replica must notice it lost the lease and never write
// the status ConfigMap as leader again, so the new leader's writes stand.
#include <catch2/catch.hpp>

#include <csignal>
#include <mutex>
#include <thread>

#include "sim/json.hpp"
#include "sim/workload.hpp"
#include "support/ambientd_harness.hpp"
#include "support/eventually.hpp"

using namespace ambient;
using namespace std::chrono_literals;

namespace {

/// Every revision of the status ConfigMap, from a watch on the config cluster's store: unlike a
/// poll, it cannot miss a write that another one overwrote soon after.
class status_history : public sim::watch_sink, public std::enable_shared_from_this<status_history> {
public:
  void on_event(const sim::watch_event& e) override {
    if (e.type == sim::event_type::deleted)
      return;
    auto doc = sim::parse_json(e.object->json, nullptr);
    if (!doc || !sim::find_path(*doc, {"metadata", "name"})
        || sim::find_path(*doc, {"metadata", "name"})->get<std::string>()
               != "ambientd-cluster-status")
      return;
    const auto* w = sim::find_path(*doc, {"metadata", "annotations", "ambientd.io/writer"});
    std::lock_guard g{mutex_};
    writers_.push_back(w && w->is_string() ? w->get<std::string>() : "");
  }
  /// The writer of every revision so far, in order.
  std::vector<std::string> writers() const {
    std::lock_guard g{mutex_};
    return writers_;
  }

private:
  mutable std::mutex mutex_;
  std::vector<std::string> writers_;
};

/// Waits (60 s) for `pred` over the history.
template <class Pred>
bool wait_history(const status_history& h, Pred pred) {
  return test::eventually([&] { return pred(h.writers()); }, 60s, 100ms);
}

} // namespace

TEST_CASE("a leader paused past its lease never writes status as leader after it resumes, and the "
          "new leader's writes stand",
          "[interop]") {
  test::ambientd_harness h{3, "ambientd-paused-leader"};
  h.seed_remote(1, {1, 1, 2, 4, true});
  auto history = std::make_shared<status_history>();
  const auto& maps = *sim::find_resource("", "v1", "configmaps");
  auto watch = h.cluster(0).data().watch(maps, {"istio-system", {}, {}}, "", history);
  REQUIRE_FALSE(watch.error);

  // Lease 12 s, renew deadline 6 s, retry 2 s: margins a loaded 2-core machine keeps.
  auto replica = [&](const std::string& id) {
    return h.launch({"--identity", id, "--lease-duration", "12s", "--renew-deadline", "6s",
                     "--retry-period", "2s"});
  };
  auto one = replica("replica-1");
  REQUIRE(one.child->wait_log(std::regex{"leading: this replica"}, 30s));
  auto two = replica("replica-2");
  struct print_logs { // ctest shows them for a failed test
    const test::ambientd_harness::process& one;
    const test::ambientd_harness::process& two;
    ~print_logs() {
      std::cout << "--- replica-1 log\n"
                << one.child->log() << "--- replica-2 log\n"
                << two.child->log();
    }
  } printed{one, two};
  REQUIRE(two.child->wait_log(std::regex{R"(merged view: clusters \[cluster-1,cluster-2\])"}, 30s));
  REQUIRE(wait_history(
      *history, [](const auto& w) { return std::count(w.begin(), w.end(), "replica-1") > 0; }));

  // Paused past its lease: replica-2 takes over and writes.
  ::kill(one.child->pid(), SIGSTOP);
  const size_t paused_at = history->writers().size();
  REQUIRE(two.child->wait_log(std::regex{"leading: this replica"}, 60s));
  CHECK(test::lease_holder(h.cluster(0)) == "replica-2");

  // Resumed: it finds its lease gone and steps down.
  ::kill(one.child->pid(), SIGCONT);
  REQUIRE(one.child->wait_log(std::regex{"stopped leading"}, 30s));

  // Status changes both replicas see, one after the other: replica-2 writes each, and replica-1,
  // which saw each too, neither writes nor tries to (a write refused with 409 is a try). The
  // second change comes only once replica-2 wrote the first, so replica-1 had the first's ticks.
  auto change_seen_and_written = [&](const std::string& seen) {
    const size_t before = history->writers().size();
    REQUIRE(one.child->wait_log(std::regex{seen}, 30s));
    REQUIRE(two.child->wait_log(std::regex{seen}, 30s));
    REQUIRE(wait_history(*history, [&](const auto& w) {
      return std::count(w.begin() + static_cast<std::ptrdiff_t>(before), w.end(), "replica-2") > 0;
    }));
  };
  test::put_remote_secret(h.cluster(0), "istio-remote-secret-cluster-3", h.cluster(2));
  change_seen_and_written(R"(cluster cluster-3: synced)");
  test::must_remove(h.cluster(0), "secrets", "istio-system", "istio-remote-secret-cluster-3");
  change_seen_and_written(R"(cluster cluster-3 stopped)");
  CHECK(one.child->count_log(std::regex{"status_writer.*(writing|reading) configmap"}) == 0);
  auto writers = history->writers();
  for (size_t i = paused_at; i < writers.size(); ++i) {
    INFO("revision " << i << " of the status ConfigMap");
    CHECK(writers[i] == "replica-2");
  }
  CHECK(writers.back() == "replica-2");
  CHECK(test::lease_holder(h.cluster(0)) == "replica-2");
  CHECK(one.child->count_log(std::regex{"leading: this replica"}) == 1);
  h.cluster(0).data().unwatch(watch.watch_id);
  CHECK(one.child->stop() == 0);
  CHECK(two.child->stop() == 0);
}
