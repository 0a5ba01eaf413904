// Three ambientd replicas against one kube-sim fleet: exactly one leads at any time (by their
// logs, the Lease, and the status ConfigMap's writers), leadership moves when the leader is killed
// or stopped, and every replica serves the same Address resources meanwhile.
#include <catch2/catch.hpp>

#include <atomic>
#include <ctime>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>
#include <thread>

#include "sim/json.hpp"
#include "sim/workload.hpp"
#include "support/ambientd_harness.hpp"
#include "support/delta_client.hpp"
#include "support/tcp_proxy.hpp"

using namespace ambient;
using namespace std::chrono_literals;
using sys_clock = std::chrono::system_clock;

namespace {

/// "2026-11-27T09:08:23.625673Z" → a time point (log lines and MicroTimes).
std::optional<sys_clock::time_point> parse_time(const std::string& s) {
  std::tm tm{};
  int year = 0, mon = 0, day = 0, h = 0, m = 0, sec = 0;
  long us = 0;
  char frac[16] = {};
  if (std::sscanf(s.c_str(), "%d-%d-%dT%d:%d:%d.%15[0-9]Z", &year, &mon, &day, &h, &m, &sec, frac)
      < 6)
    return std::nullopt;
  std::string f = frac;
  f.resize(6, '0');
  us = std::stol(f);
  tm.tm_year = year - 1900;
  tm.tm_mon = mon - 1;
  tm.tm_mday = day;
  tm.tm_hour = h;
  tm.tm_min = m;
  tm.tm_sec = sec;
  return sys_clock::from_time_t(timegm(&tm)) + std::chrono::microseconds{us};
}

/// One term of one replica, from its log: [start, end); end is max() while it still leads.
struct term {
  std::string identity;
  sys_clock::time_point start, end = sys_clock::time_point::max();
};

/// A status ConfigMap revision as the observer saw it.
struct status_write {
  std::string writer;
  sys_clock::time_point at;
};

struct replica {
  std::string identity;
  std::unique_ptr<test::child_process> process;
  int xds_port = 0;
  /// When the test killed it (SIGKILL ends a term without a log line).
  std::optional<sys_clock::time_point> killed;
};

/// Reads the Lease and the status ConfigMap from the config cluster's store every 20 ms.
class observer {
public:
  explicit observer(sim::sim_cluster& c) : cluster_(c), thread_([this] { run(); }) {}
  ~observer() {
    stop_ = true;
    thread_.join();
  }
  std::vector<status_write> writes() const {
    std::lock_guard g{mutex_};
    return writes_;
  }
  std::vector<std::string> holders() const {
    std::lock_guard g{mutex_};
    return holders_;
  }
  /// The last renewTime each holder wrote, as seen.
  std::map<std::string, sys_clock::time_point> last_renew() const {
    std::lock_guard g{mutex_};
    return last_renew_;
  }
  std::string holder() const {
    std::lock_guard g{mutex_};
    return holders_.empty() ? "" : holders_.back();
  }

private:
  void run() {
    const auto& leases = *sim::find_resource("coordination.k8s.io", "v1", "leases");
    const auto& maps = *sim::find_resource("", "v1", "configmaps");
    std::string last_cm;
    while (!stop_) {
      auto l = cluster_.data().get(leases, "istio-system", "ambientd-leader");
      auto cm = cluster_.data().get(maps, "istio-system", "ambientd-cluster-status");
      std::lock_guard g{mutex_};
      auto lease = !l.error && l.object ? sim::parse_json(l.object->json, nullptr) : std::nullopt;
      auto map = !cm.error && cm.object ? sim::parse_json(cm.object->json, nullptr) : std::nullopt;
      if (lease) {
        const auto* h = sim::find_path(*lease, {"spec", "holderIdentity"});
        std::string holder = h && h->is_string() ? h->get<std::string>() : "";
        if (holders_.empty() || holders_.back() != holder)
          holders_.push_back(holder);
        const auto* renew = sim::find_path(*lease, {"spec", "renewTime"});
        if (renew && renew->is_string() && !holder.empty())
          if (auto t = parse_time(renew->get<std::string>()))
            last_renew_[holder] = *t;
      }
      if (map) {
        const auto* w = sim::find_path(*map, {"metadata", "annotations", "ambientd.io/writer"});
        const auto* at
            = sim::find_path(*map, {"metadata", "annotations", "ambientd.io/written-at"});
        const auto* rv = sim::find_path(*map, {"metadata", "resourceVersion"});
        if (w && at && rv && rv->get<std::string>() != last_cm) {
          last_cm = rv->get<std::string>();
          writes_.push_back({w->get<std::string>(), *parse_time(at->get<std::string>())});
        }
      }
      std::this_thread::sleep_for(20ms);
    }
  }

  sim::sim_cluster& cluster_;
  std::atomic<bool> stop_{false};
  mutable std::mutex mutex_;
  std::vector<status_write> writes_;
  std::vector<std::string> holders_;
  std::map<std::string, sys_clock::time_point> last_renew_;
  std::thread thread_;
};

/// Every leadership term of the replicas, from their logs.
std::vector<term> terms_of(const std::vector<replica>& rs) {
  std::vector<term> out;
  for (const auto& r : rs) {
    std::istringstream log{r.process->log()};
    std::optional<term> open;
    for (std::string line; std::getline(log, line);) {
      auto doc = sim::parse_json(line, nullptr);
      if (!doc || !doc->is_object() || !sim::find_path(*doc, {"msg"})
          || !sim::find_path(*doc, {"time"}))
        continue;
      const auto& msg = sim::find_path(*doc, {"msg"})->get<std::string>();
      auto at = parse_time(sim::find_path(*doc, {"time"})->get<std::string>());
      if (msg.rfind("leading: this replica", 0) == 0) {
        open = term{r.identity, *at};
      } else if (open && msg.rfind("stopped leading", 0) == 0) {
        open->end = *at;
        out.push_back(*open);
        open.reset();
      }
    }
    if (open) {
      if (r.killed)
        open->end = *r.killed;
      out.push_back(*open);
    }
  }
  std::sort(out.begin(), out.end(), [](const term& a, const term& b) { return a.start < b.start; });
  return out;
}

/// The replica that leads now by the logs, or "" (REQUIREs at most one).
std::string log_leader(const std::vector<replica>& rs) {
  std::string leader;
  for (const auto& t : terms_of(rs))
    if (t.end == sys_clock::time_point::max()) {
      REQUIRE(leader.empty());
      leader = t.identity;
    }
  return leader;
}

/// Waits until a replica other than `not_this` leads by the logs and the Lease; returns it.
std::string wait_new_leader(const std::vector<replica>& rs, const observer& obs,
                            const std::string& not_this) {
  for (int i = 0; i < 900; ++i) {
    auto l = log_leader(rs);
    if (!l.empty() && l != not_this && obs.holder() == l)
      return l;
    std::this_thread::sleep_for(100ms);
  }
  FAIL("no new leader after " << not_this);
  return {};
}

/// Starts a replica with timings short enough for a test and long enough that a loaded 2-core
/// machine under a sanitizer renews in time (lease 12 s, renew deadline 6 s, retry 2 s).
replica start_replica(const test::ambientd_harness& h, const std::string& identity,
                      const std::string& kubeconfig) {
  replica r;
  r.identity = identity;
  r.process = std::make_unique<test::child_process>(
      test::ambientd_argv(AMBIENTD_BINARY, kubeconfig,
                          {"--log-format", "json", "--identity", identity, "--lease-duration",
                           "12s", "--renew-deadline", "6s", "--retry-period", "2s"}),
      (h.dir.path / (identity + ".log")).string());
  auto port = test::wait_served_port(*r.process, "ADS", 20s);
  REQUIRE(port);
  r.xds_port = *port;
  return r;
}

std::map<std::string, std::string> address_view(int port) {
  test::delta_client z{"127.0.0.1:" + std::to_string(port)};
  z.send({"*"});
  z.read();
  std::map<std::string, std::string> out;
  for (const auto& [name, a] : z.held)
    out[name] = a.SerializeAsString();
  return out;
}

} // namespace

TEST_CASE("three replicas: one leader at a time, failover on SIGKILL and SIGTERM, the same "
          "Address resources everywhere",
          "[interop]") {
  test::ambientd_harness h{2, "ambientd-leader"};
  h.seed_remote(1, {2, 2, 4, 8, true});
  observer obs{h.cluster(0)};
  std::vector<replica> rs;
  for (int i = 1; i <= 3; ++i)
    rs.push_back(start_replica(h, "replica-" + std::to_string(i), h.cluster(0).kubeconfig_path()));
  for (auto& r : rs)
    REQUIRE(
        r.process->wait_log(std::regex{R"(merged view: clusters \[cluster-1,cluster-2\])"}, 30s));
  auto first = wait_new_leader(rs, obs, "");
  INFO("first leader " << first);

  // Every replica serves the same resources, whoever leads.
  auto view = address_view(rs[0].xds_port);
  REQUIRE(view.size() >= 8); // the 8 pods of cluster-2 (its services are local to it)
  for (size_t i = 1; i < rs.size(); ++i)
    CHECK(address_view(rs[i].xds_port) == view);

  // The leader writes the cluster status.
  for (int i = 0; i < 100 && obs.writes().empty(); ++i)
    std::this_thread::sleep_for(100ms);
  REQUIRE(!obs.writes().empty());
  CHECK(obs.writes().back().writer == first);

  // SIGKILL: the lease expires and another replica takes it.
  auto& victim = *std::find_if(rs.begin(), rs.end(), [&](auto& r) { return r.identity == first; });
  victim.killed = sys_clock::now();
  ::kill(victim.process->pid(), SIGKILL);
  auto second = wait_new_leader(rs, obs, first);
  for (auto& r : rs)
    if (!r.killed)
      CHECK(address_view(r.xds_port) == view);

  // SIGTERM: the lease is released and the last replica takes it.
  auto& stopped
      = *std::find_if(rs.begin(), rs.end(), [&](auto& r) { return r.identity == second; });
  CHECK(stopped.process->stop() == 0);
  CHECK(stopped.process->count_log(std::regex{"released lease istio-system/ambientd-leader"}) == 1);
  auto third = wait_new_leader(rs, obs, second);
  CHECK(third != first);
  for (int i = 0; i < 100 && obs.writes().back().writer != third; ++i)
    std::this_thread::sleep_for(100ms);

  // Terms never overlap, the Lease named each leader in turn, and every status write happened
  // inside its writer's term.
  auto terms = terms_of(rs);
  REQUIRE(terms.size() == 3);
  for (size_t i = 1; i < terms.size(); ++i) {
    INFO(terms[i - 1].identity << " then " << terms[i].identity);
    CHECK(terms[i - 1].end <= terms[i].start);
  }
  auto holders = obs.holders();
  std::vector<std::string> named;
  for (const auto& hname : holders)
    if (!hname.empty())
      named.push_back(hname);
  CHECK(named == std::vector<std::string>{first, second, third});
  auto writes = obs.writes();
  CHECK(writes.back().writer == third);
  for (const auto& w : writes) {
    bool inside = false;
    for (const auto& t : terms)
      inside = inside || (t.identity == w.writer && t.start <= w.at && w.at < t.end);
    INFO("write by " << w.writer);
    CHECK(inside);
  }
}

TEST_CASE("a leader cut off from the config cluster stops leading before its lease could expire, "
          "and another replica takes over",
          "[interop]") {
  test::ambientd_harness h{1, "ambientd-cutoff"};
  observer obs{h.cluster(0)};
  // replica-1 reaches the API server only through a proxy the test can cut.
  test::tcp_proxy proxy{h.cluster(0).port()};
  auto text = h.cluster(0).kubeconfig();
  auto direct = "127.0.0.1:" + std::to_string(h.cluster(0).port());
  REQUIRE(text.find(direct) != std::string::npos);
  text.replace(text.find(direct), direct.size(), "127.0.0.1:" + std::to_string(proxy.port()));
  auto proxied = (h.dir.path / "proxied.kubeconfig").string();
  std::ofstream{proxied} << text;

  std::vector<replica> rs;
  rs.push_back(start_replica(h, "replica-1", proxied));
  REQUIRE(wait_new_leader(rs, obs, "") == "replica-1");
  rs.push_back(start_replica(h, "replica-2", h.cluster(0).kubeconfig_path()));
  rs.push_back(start_replica(h, "replica-3", h.cluster(0).kubeconfig_path()));
  // The others compete while replica-1 renews twice: it keeps the lease.
  REQUIRE(rs[1].process->wait_log(std::regex{"competing for lease"}, 30s));
  REQUIRE(rs[2].process->wait_log(std::regex{"competing for lease"}, 30s));
  auto renewed_at = obs.last_renew().at("replica-1");
  int renewals = 0;
  for (int i = 0; renewals < 2 && i < 300; ++i) {
    std::this_thread::sleep_for(100ms);
    auto now = obs.last_renew().at("replica-1");
    if (now > renewed_at) {
      ++renewals;
      renewed_at = now;
    }
  }
  REQUIRE(renewals == 2);
  CHECK(log_leader(rs) == "replica-1");
  CHECK(obs.holder() == "replica-1");

  proxy.cut();
  auto next = wait_new_leader(rs, obs, "replica-1");
  auto terms = terms_of(rs);
  REQUIRE(terms.size() == 2);
  const auto& cut_off = terms[0];
  CHECK(cut_off.identity == "replica-1");
  REQUIRE(cut_off.end != sys_clock::time_point::max()); // it said so itself
  CHECK(rs[0].process->count_log(std::regex{"stopped leading: lease .* not renewed in time"}) == 1);
  CHECK(terms[1].identity == next);
  CHECK(cut_off.end <= terms[1].start);
  // It stopped while its last renewal was still valid for everyone else.
  auto renewed = obs.last_renew().at("replica-1");
  CHECK(cut_off.end < renewed + 12s);
}
