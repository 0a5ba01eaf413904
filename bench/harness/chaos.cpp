// The chaos soak (bench/chaos, `ambient_bench chaos`): kube-sim clusters, ambientd and two delta
// ADS clients (Address, Authorization), each its own process or thread. For `minutes`, random
// faults from kube-sim's whole menu, remote-secret churn (updates, rotations, bad kubeconfigs,
// deletes, duplicate cluster IDs), policy churn in the config cluster and pod churn. Every
// `checkpoint` seconds, and at the end, the faults stop and are healed, and an invariant checker
// recomputes the Address and Authorization sets from the simulators' ground truth (every object
// LISTed from each cluster whose secret is in place, the config cluster's policies included,
// merged by mesh/ exactly as ambientd merges it) and waits for the clients' sets to equal them,
// byte for byte. At the end the live actor count must be back at its baseline and RSS must not
// have grown beyond a bound. Exit 1 when any invariant fails.
#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <random>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "bench/harness/chaos_objects.hpp"
#include "bench/harness/chaos_policies.hpp"
#include "bench/harness/chaos_waypoints.hpp"
#include "bench/harness/delta_type_client.hpp"
#include "bench/harness/ground_truth.hpp"
#include "bench/harness/scenario.hpp"
#include "bench/harness/workload_oracle.hpp"

namespace ambient::bench {

namespace {

/// Kubeconfigs no cluster can be built from, each refused for a different reason.
const std::vector<std::string>& bad_kubeconfigs() {
  static const std::vector<std::string> v{
      "this is: [not a kubeconfig",
      "apiVersion: v1\nkind: Config\nclusters: []\ncontexts: []\nusers: []\n",
      "apiVersion: v1\nkind: Config\ncurrent-context: c\nclusters:\n- name: c\n  cluster:\n"
      "    server: http://127.0.0.1:1\ncontexts:\n- name: c\n  context:\n    cluster: c\n"
      "    user: u\nusers:\n- name: u\n  user:\n    token: t\n",
      "apiVersion: v1\nkind: Config\ncurrent-context: missing\nclusters: []\ncontexts: []\n"
      "users: []\n",
      std::string(4096, '\x01'),
  };
  return v;
}

/// The soak's actions and their schedule: faults (with their heal due later), secret churn,
/// and what must be undone before a checkpoint.
class chaos_driver {
public:
  chaos_driver(stack& s, int clusters, uint32_t seed) : s_(s), clusters_(clusters), rng_(seed) {}

  /// One random action, now.
  void act() {
    auto remote = [&] {
      return pick(1, clusters_ - 1);
    };
    auto any = [&] {
      return pick(0, clusters_ - 1);
    };
    switch (pick(0, 21)) {
      case 0: {
        int i = any();
        if (down_.contains(i))
          return;
        admin(i, "down");
        down_.insert(i);
        later(uniform(2, 10), "up " + cluster(i), [this, i] { up(i); });
        return;
      }
      case 1: {
        static const int codes[] = {500, 503, 429};
        admin(any(), "fail?count=" + std::to_string(pick(1, 20))
                         + "&code=" + std::to_string(codes[pick(0, 2)]));
        return;
      }
      case 2:
        timed_fault(any(), "stall-watches?on=true", "stall-watches?on=false", 2, 15);
        return;
      case 3:
        admin(any(), "cut-watches");
        return;
      case 4:
        admin(any(), "expire-watches?count=" + std::to_string(pick(1, 6)));
        return;
      case 5:
        admin(any(), "compact");
        return;
      case 6:
        admin(any(), "malformed-events?count=" + std::to_string(pick(1, 5)));
        return;
      case 7: {
        int i = any();
        timed_fault(i, "latency?ms=" + std::to_string(pick(50, 800)), "latency?ms=0", 3, 15);
        return;
      }
      case 8:
      case 9: {
        // The config cluster's own kubeconfig is ambientd's flag, read once: only remotes rotate.
        int i = remote();
        if (down_.contains(i))
          return;
        admin(i, pick(0, 1) ? "rotate-ca" : "revoke-token");
        later(uniform(0, 10), "rotated secret " + cluster(i), [this, i] { put_good(i, false); });
        return;
      }
      case 10:
        put_good(remote(), false); // identical content: must be a no-op
        return;
      case 11:
        put_good(remote(), true); // same server, new content: the cluster restarts
        return;
      case 12: {
        int i = remote();
        const auto& bad = bad_kubeconfigs()[static_cast<size_t>(pick(0, 4))];
        if (!put(i, bad))
          return;
        count("secret bad kubeconfig");
        later(uniform(3, 20), "fixed secret " + cluster(i), [this, i] { put_good(i, false); });
        return;
      }
      case 13: {
        int i = remote();
        if (!secret_op([&](std::string* e) { return s_.sim.delete_secret(secret_name(i), e); }))
          return;
        count("secret delete");
        later(uniform(3, 20), "restored secret " + cluster(i), [this, i] { put_good(i, false); });
        return;
      }
      case 14:
      case 15: {
        // A second secret claiming a remote's cluster ID, with another cluster's kubeconfig.
        int i = remote(), j = any();
        auto name = "istio-remote-secret-dup-" + std::to_string(++dups_);
        auto kc = s_.sim.kubeconfig(cluster(j));
        if (!secret_op([&](std::string* e) {
              return s_.sim.put_secret(name, {{cluster(i), kc}}, e);
            }))
          return;
        dup_names_.insert(name);
        count("secret duplicate cluster ID");
        later(uniform(5, 30), "deleted " + name, [this, name] { delete_dup(name); });
        return;
      }
      case 16:
        // The Gateway API CRDs uninstalled (gateways answer 404), reinstalled 5–30 s later.
        timed_fault(any(), "gateway-api?installed=false", "gateway-api?installed=true", 5, 30);
        return;
      case 17: {
        // The selector-less service's slice (or a remote's network gateway) changes.
        int i = any();
        if (down_.contains(i))
          return;
        try {
          count(churn_index_objects(s_.sim, cluster(i), i, index_turns_++, rng_));
        } catch (const std::exception& e) {
          log(std::string{"index object change refused: "} + e.what());
          count("index object change refused (a fault)");
        }
        return;
      }
      case 18:
      case 19:
        change_policy();
        return;
      case 20:
      case 21: {
        // A waypoint label, Gateway, route, binding or class changes; the config cluster (the
        // only one whose class counts) a third of the time.
        int i = pick(0, 2) == 0 ? 0 : any();
        if (down_.contains(i))
          return;
        try {
          count(churn_waypoints(s_.sim, cluster(i), i, rng_));
        } catch (const std::exception& e) {
          log(std::string{"waypoint change refused: "} + e.what());
          count("waypoint change refused (a fault)");
        }
        return;
      }
      default:
        return;
    }
  }

  /// A config-cluster AuthorizationPolicy or PeerAuthentication created, changed or deleted, now
  /// (also once at the start of every phase, so that even a smoke run changes policies).
  void change_policy() {
    if (down_.contains(0))
      return;
    try {
      count(churn_security_objects(s_.sim, cluster(0), rng_));
    } catch (const std::exception& e) {
      log(std::string{"policy change refused: "} + e.what());
      count("policy change refused (a fault)");
    }
  }

  /// Runs every repair whose time has come (all of them when `all`).
  void run_due(bool all) {
    auto now = now_ns();
    std::stable_sort(due_.begin(), due_.end(),
                     [](const auto& a, const auto& b) { return a.at < b.at; });
    while (!due_.empty() && (all || due_.front().at <= now)) {
      auto d = std::move(due_.front());
      due_.erase(due_.begin());
      d.fn();
    }
  }

  /// Stops every fault and leaves each remote's secret as `present` says (the config cluster is
  /// always present), with no duplicate secret left: the state a checkpoint checks.
  void heal(const std::vector<bool>& present) {
    for (int i = 0; i < clusters_; ++i)
      for (const char* a : {"fail?count=0", "expire-watches?count=0", "malformed-events?count=0",
                            "stall-watches?on=false", "latency?ms=0", "gateway-api?installed=true"})
        s_.sim.admin(cluster(i), a);
    for (int i : std::set<int>{down_})
      up(i);
    counting_ = false;
    run_due(true);
    for (const auto& name : std::set<std::string>{dup_names_})
      delete_dup(name);
    for (int i = 1; i < clusters_; ++i) {
      if (present[static_cast<size_t>(i)])
        put_good(i, false);
      else
        secret_op([&](std::string* e) { return s_.sim.delete_secret(secret_name(i), e); });
    }
    counting_ = true;
  }

  const std::map<std::string, int>& counts() const {
    return counts_;
  }
  int pick(int lo, int hi) {
    return std::uniform_int_distribution<int>{lo, hi}(rng_);
  }
  double uniform(double lo, double hi) {
    return std::uniform_real_distribution<double>{lo, hi}(rng_);
  }

private:
  struct repair {
    int64_t at;
    std::string what;
    std::function<void()> fn;
  };

  static std::string secret_name(int i) {
    return "istio-remote-secret-" + cluster(i);
  }
  void count(const std::string& what) {
    if (counting_)
      ++counts_[what];
  }
  void admin(int i, const std::string& action) {
    s_.sim.admin(cluster(i), action);
    count("fault " + action.substr(0, action.find('?')));
  }
  /// A fault on cluster `i` that `undo` ends lo–hi seconds later (the undo is not counted).
  void timed_fault(int i, const std::string& action, const std::string& undo, double lo,
                   double hi) {
    admin(i, action);
    later(uniform(lo, hi), undo + " on " + cluster(i),
          [this, i, undo] { s_.sim.admin(cluster(i), undo); });
  }
  void up(int i) {
    if (down_.erase(i) > 0)
      s_.sim.admin(cluster(i), "up");
  }
  /// A write to cluster-1 (where the secrets live), retried for up to 10 s: cluster-1 has its
  /// faults too. False (logged) if it never went through or cluster-1 is down; the next heal puts
  /// things right.
  bool secret_op(const std::function<bool(std::string*)>& op) {
    std::string error = "cluster-1 is down";
    for (int attempt = 0; attempt < 100 && !down_.contains(0); ++attempt) {
      if (op(&error))
        return true;
      sleep_s(0.1);
    }
    log("secret write skipped: " + error);
    ++counts_["secret write skipped (cluster-1 unavailable)"];
    return false;
  }
  bool put(int i, const std::string& kubeconfig) {
    return secret_op([&](std::string* e) {
      return s_.sim.put_secret(secret_name(i), {{cluster(i), kubeconfig}}, e);
    });
  }
  void delete_dup(const std::string& name) {
    if (secret_op([&](std::string* e) { return s_.sim.delete_secret(name, e); }))
      dup_names_.erase(name);
  }
  /// The secret with the cluster's current kubeconfig; `touched` appends a comment, so the
  /// content (and its hash) changes while the configuration stays good: a restart.
  void put_good(int i, bool touched) {
    auto kc = s_.sim.kubeconfig(cluster(i));
    if (touched)
      kc += "\n# rotated " + std::to_string(++touches_) + "\n";
    if (put(i, kc))
      count(touched ? "secret update (new content)" : "secret update (current kubeconfig)");
  }
  void later(double seconds, std::string what, std::function<void()> fn) {
    due_.push_back(
        {now_ns() + static_cast<int64_t>(seconds * 1e9), std::move(what), std::move(fn)});
  }

  stack& s_;
  int clusters_;
  std::mt19937 rng_;
  std::set<int> down_;
  std::set<std::string> dup_names_;
  bool counting_ = true;
  std::vector<repair> due_;
  std::map<std::string, int> counts_;
  int dups_ = 0, touches_ = 0;
  uint64_t index_turns_ = 0;
};

} // namespace

void chaos(context& c, report& rep) {
  int n = c.num("clusters", 11, 3), pods = c.num("pods", 200, 20);
  double minutes = std::stod(c.get("minutes", "10", "0.4"));
  double checkpoint_s = std::stod(c.get("checkpoint", "150", "12"));
  double converge_limit = std::stod(c.get("converge-limit", "240", "240"));
  int churn = c.num("churn-rate", 4, 2);
  auto seed = static_cast<uint32_t>(std::stoul(c.get("seed", "1", "1")));
  if (n < 2 || pods < 1 || minutes <= 0 || checkpoint_s <= 0)
    throw std::runtime_error("chaos needs --clusters >= 2, --pods >= 1, --minutes and "
                             "--checkpoint > 0");

  // The CRDs and policies exist before ambientd starts: it lists them at once, not after its
  // 30 s recheck of a kind the API server does not serve.
  stack s{c, n, std::max(1, pods / 20), pods, true, {}, [](sim_process& sim) {
            add_security_objects(sim, cluster(0));
          }};
  for (int i = 0; i < n; ++i) {
    add_index_objects(s.sim, cluster(i), i);
    add_waypoint_objects(s.sim, cluster(i), i);
  }
  delta_type_client client{s.amb->xds_port(), address_type_url};
  delta_type_client authz{s.amb->xds_port(), authorization_type_url};
  auto held = [&] {
    return mesh_view{client.held(), authz.held()};
  };
  std::vector<std::string> all;
  for (int i = 0; i < n; ++i)
    all.push_back(cluster(i));
  auto truth = ground_truth(s.sim, all);
  if (truth.authorizations.empty())
    throw std::runtime_error("the ground truth holds no Authorization: the policies are missing");
  auto until = now_ns() + static_cast<int64_t>(converge_limit * 1e9);
  while (!compare(truth, held()).equal() && now_ns() < until)
    sleep_s(0.2);
  if (!compare(truth, held()).equal())
    throw std::runtime_error("before any fault, the clients' view never matched ground truth: "
                             + compare(truth, held()).text());
  // The independent oracle agrees before any fault, and it too can fail: without one remote,
  // and without the policy lists.
  auto oracle_diff = workload_diff(expected_workloads(s.sim, all), held_workloads(client.held()));
  if (!oracle_diff.empty())
    throw std::runtime_error("before any fault, the client's workloads differ from the "
                             "independent oracle: "
                             + oracle_diff);
  if (workload_diff(expected_workloads(s.sim, std::vector<std::string>(all.begin(), all.end() - 1)),
                    held_workloads(client.held()))
          .empty())
    throw std::runtime_error("the independent oracle cannot tell a view without " + all.back()
                             + " from the real one");
  if (workload_diff(expected_workloads(s.sim, all, false), held_workloads(client.held())).empty())
    throw std::runtime_error("the independent oracle cannot tell workloads without their policy "
                             "lists from the real ones");
  if (workload_diff(expected_workloads(s.sim, all, true, false), held_workloads(client.held()))
          .empty())
    throw std::runtime_error("the independent oracle cannot tell workloads without their "
                             "waypoints from the real ones");
  // The checker must be able to fail: a ground truth without one remote differs from the view.
  auto control = ground_truth(s.sim, std::vector<std::string>(all.begin(), all.end() - 1));
  if (compare(control, held()).equal())
    throw std::runtime_error("the checker cannot tell a view without " + all.back()
                             + " from the real one");
  // The baseline is taken once the live actor count holds still (three equal readings 1 s
  // apart, at most 30 s), not after a fixed wait.
  double baseline_actors = s.amb->metric_sum("ambientd_actors");
  for (int same = 0, k = 0; same < 3 && k < 30; ++k) {
    sleep_s(1);
    double now = s.amb->metric_sum("ambientd_actors");
    same = now == baseline_actors ? same + 1 : 0;
    baseline_actors = now;
  }
  auto baseline = read_stats(s.amb->pid());
  log("baseline: " + std::to_string(truth.addresses.size()) + " Addresses, "
      + std::to_string(truth.authorizations.size()) + " Authorizations, " + fmt0(baseline_actors)
      + " live actors, RSS " + fmt0(baseline.rss_mib) + " MiB");

  chaos_driver driver{s, n, seed};
  auto set_churn = [&](int rate) {
    for (int i = 0; i < n; ++i)
      s.sim.admin(cluster(i), "churn?rate=" + std::to_string(rate));
  };

  auto& checks
      = rep.table({"checkpoint", "after (s)", "clusters in view", "Addresses expected",
                   "Addresses held", "Authorizations expected", "Authorizations held", "both equal",
                   "converged in (s)", "live actors", "RSS (MiB)", "client streams"});
  int checkpoints = 0, equal = 0, oracle_equal = 0;
  double worst_converge = 0, first_rss = 0, last_rss = 0, end_actors = NAN;
  std::string failures;
  auto t_start = now_ns();
  auto t_end = t_start + static_cast<int64_t>(minutes * 60e9);
  while (true) {
    auto phase_end = std::min(t_end, now_ns() + static_cast<int64_t>(checkpoint_s * 1e9));
    set_churn(churn);
    driver.change_policy();
    int actions = 1;
    while (now_ns() < phase_end) {
      driver.run_due(false);
      driver.act();
      ++actions;
      sleep_s(driver.uniform(0.3, 1.5));
    }
    set_churn(0);
    bool last = now_ns() >= t_end;
    ++checkpoints;
    // Between checkpoints some remotes are left out (their secret deleted); the last one puts
    // every remote back, so the live actor count can be compared with the baseline.
    std::vector<bool> present(static_cast<size_t>(n), true);
    if (!last)
      for (int k = 0, out = driver.pick(0, std::min(3, n - 1)); k < out; ++k)
        present[static_cast<size_t>(driver.pick(1, n - 1))] = false;
    driver.heal(present);
    std::vector<std::string> in_view;
    for (int i = 0; i < n; ++i)
      if (present[static_cast<size_t>(i)])
        in_view.push_back(cluster(i));
    auto healed = now_ns();
    truth = ground_truth(s.sim, in_view);
    view_diff d;
    double converged = NAN;
    until = healed + static_cast<int64_t>(converge_limit * 1e9);
    // Equal, and still equal 2 s later: a view that only passes through the right state while
    // something is still settling does not count.
    while (now_ns() < until) {
      d = compare(truth, held());
      if (d.equal() && std::isnan(converged))
        converged = static_cast<double>(now_ns() - healed) / 1e9;
      else if (!d.equal())
        converged = NAN;
      if (d.equal() && now_ns() - healed >= static_cast<int64_t>((converged + 2) * 1e9))
        break;
      sleep_s(0.25);
    }
    if (!d.equal())
      converged = NAN;
    bool alive = true;
    if (!s.amb->running()) {
      alive = false;
      failures += "ambientd exited at checkpoint " + std::to_string(checkpoints) + ". ";
    }
    double actors = alive ? s.amb->metric_sum("ambientd_actors") : NAN;
    if (last && alive) {
      // Actors of replaced incarnations end after the view converged: give them 30 s.
      for (int k = 0; k < 120 && actors != baseline_actors; ++k) {
        sleep_s(0.25);
        actors = s.amb->metric_sum("ambientd_actors");
      }
      end_actors = actors;
    }
    auto st = read_stats(s.amb->pid());
    if (checkpoints == 1)
      first_rss = st.rss_mib;
    last_rss = st.rss_mib;
    if (d.equal()) {
      ++equal;
      worst_converge = std::max(worst_converge, converged);
    } else {
      failures += "checkpoint " + std::to_string(checkpoints) + ": " + d.text() + ". ";
    }
    // The fields a client sees, against an oracle that shares no code with mesh/ or kube/.
    auto oracle = workload_diff(expected_workloads(s.sim, in_view), held_workloads(client.held()));
    if (oracle.empty())
      ++oracle_equal;
    else
      failures += "checkpoint " + std::to_string(checkpoints) + " (independent oracle): " + oracle
                  + ". ";
    checks.row({std::to_string(checkpoints), fmt0(static_cast<double>(healed - t_start) / 1e9),
                std::to_string(in_view.size()), std::to_string(truth.addresses.size()),
                std::to_string(client.held().size()), std::to_string(truth.authorizations.size()),
                std::to_string(authz.held().size()), d.equal() ? "yes" : "NO",
                std::isnan(converged) ? "never" : fmt2(converged), fmt0(actors), fmt0(st.rss_mib),
                std::to_string(client.streams()) + "+" + std::to_string(authz.streams())});
    log("checkpoint " + std::to_string(checkpoints) + " after " + std::to_string(actions)
        + " actions: " + (d.equal() ? "equal in " + fmt2(converged) + " s" : d.text()));
    if (last || !alive)
      break;
    // The next phase starts with every remote back.
    driver.heal(std::vector<bool>(static_cast<size_t>(n), true));
  }

  auto& acts = rep.table({"action", "times"});
  int total = 0;
  for (const auto& [what, times] : driver.counts()) {
    acts.row({what, std::to_string(times)});
    total += times;
  }
  rep.value("soak", {{"minutes", minutes},
                     {"clusters", n},
                     {"pods_per_cluster", pods},
                     {"churn_per_cluster_per_s", churn},
                     {"actions", total},
                     {"seed", seed},
                     {"baseline_actors", baseline_actors},
                     {"baseline_rss_mib", baseline.rss_mib},
                     {"client_streams", client.streams()},
                     {"client_responses", static_cast<double>(client.responses())},
                     {"authorization_client_responses", static_cast<double>(authz.responses())},
                     {"restarts", s.amb->metric_sum("ambientd_actor_restarts_total")},
                     {"informer_errors", s.amb->metric_sum("ambientd_informer_errors_total")},
                     {"informer_relists", s.amb->metric_sum("ambientd_informer_relists_total")}});
  rep.target("checkpoints where the clients' Address and Authorization sets equal ground truth",
             equal, "", checkpoints, "≥");
  rep.target("checkpoints where the client's workloads equal the independent oracle", oracle_equal,
             "", checkpoints, "≥");
  rep.target("slowest convergence after faults stop", worst_converge, "s", converge_limit, "≤");
  rep.target("live actors at the end minus the baseline", end_actors - baseline_actors, "", 0, "≤");
  rep.target("live actors at the end minus the baseline (no fewer)", end_actors - baseline_actors,
             "", 0, "≥");
  double growth = first_rss > 0 ? (last_rss - first_rss) / first_rss * 100 : NAN;
  rep.target("RSS growth, first checkpoint to last", growth, "%", 25, "≤");
  rep.note(
      "ground truth: every object of every kind a cluster's informers watch (the config "
      "cluster's AuthorizationPolicies, PeerAuthentications and GatewayClasses included), LISTed "
      "from "
      "kube-sim once faults stopped, merged by mesh/ in a fresh mesh_index; compared byte "
      "for byte with what two delta ADS clients (wildcard Address, wildcard Authorization) "
      "hold");
  rep.note("independent oracle (bench/harness/workload_oracle.cpp, policy_oracle.cpp, "
           "waypoint_oracle.cpp): each ordinary workload's uid, addresses, cluster, network, "
           "policy list, waypoint and application tunnel computed from the Pods', Namespaces', "
           "policies', Gateways' and GatewayClasses' JSON alone, sharing no code with mesh/ or "
           "kube/");
  if (client.streams() > 1)
    rep.note("the Address client's stream was reopened " + std::to_string(client.streams() - 1)
             + " times; last error: " + client.last_error());
  if (authz.streams() > 1)
    rep.note("the Authorization client's stream was reopened " + std::to_string(authz.streams() - 1)
             + " times; last error: " + authz.last_error());
  if (!failures.empty()) {
    rep.note("FAILED: " + failures);
    rep.write(c.out);
    throw std::runtime_error("invariants failed: " + failures);
  }
  if (end_actors != baseline_actors) {
    rep.write(c.out);
    throw std::runtime_error("live actors at the end: " + fmt0(end_actors) + ", baseline "
                             + fmt0(baseline_actors));
  }
}

} // namespace ambient::bench
