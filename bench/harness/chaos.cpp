// The chaos soak (bench/chaos, `ambient_bench chaos`): kube-sim clusters, ambientd and one delta
// ADS client, each its own process or thread. For `minutes`, random faults from kube-sim's whole
// menu, remote-secret churn (updates, rotations, bad kubeconfigs, deletes, duplicate cluster IDs)
// and pod churn. Every `checkpoint` seconds, and at the end, the faults stop and are healed, and
// an invariant checker recomputes the Address set from the simulators' ground truth (every object
// LISTed from each cluster whose secret is in place, merged by mesh/ exactly as ambientd merges
// it) and waits for the client's set to equal it, byte for byte. At the end the live actor count
// must be back at its baseline and RSS must not have grown beyond a bound. Exit 1 when any
// invariant fails.
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <functional>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "bench/harness/chaos_objects.hpp"
#include "bench/harness/scenario.hpp"
#include "bench/harness/workload_oracle.hpp"
#include "envoy/service/discovery/v3/ads.grpc.pb.h"
#include "fleet/cluster_sync.hpp"
#include "kube/api_envelope.hpp"
#include "kube/decode.hpp"
#include "kube/resource_kind.hpp"
#include "mesh/mesh_config.hpp"
#include "mesh/mesh_index.hpp"

namespace ambient::bench {

namespace {

using ads_service = envoy::service::discovery::v3::AggregatedDiscoveryService;
using delta_request = envoy::service::discovery::v3::DeltaDiscoveryRequest;
using delta_response = envoy::service::discovery::v3::DeltaDiscoveryResponse;
constexpr const char* address_type = "type.googleapis.com/istio.workload.Address";

/// One wildcard delta ADS stream for Address, as ztunnel opens it: it applies every response to
/// the set it holds (name → serialized Address) and ACKs it. A stream that ends is reopened (and
/// counted): a new stream starts from an empty set and gets the full state again.
class address_client {
public:
  explicit address_client(int port) : port_(port), thread_([this] { run(); }) {}
  address_client(const address_client&) = delete;
  address_client& operator=(const address_client&) = delete;
  ~address_client() {
    stopping_ = true;
    {
      std::lock_guard guard{mutex_};
      if (context_)
        context_->TryCancel();
    }
    thread_.join();
  }

  std::map<std::string, std::string> held() const {
    std::lock_guard guard{mutex_};
    return held_;
  }
  int streams() const {
    std::lock_guard guard{mutex_};
    return streams_;
  }
  uint64_t responses() const {
    std::lock_guard guard{mutex_};
    return responses_;
  }
  std::string last_error() const {
    std::lock_guard guard{mutex_};
    return last_error_;
  }

private:
  void run() {
    auto channel = grpc::CreateChannel("127.0.0.1:" + std::to_string(port_),
                                       grpc::InsecureChannelCredentials());
    auto stub = ads_service::NewStub(channel);
    while (!stopping_) {
      auto context = std::make_shared<grpc::ClientContext>();
      {
        std::lock_guard guard{mutex_};
        if (stopping_)
          break;
        context_ = context;
        held_.clear();
        ++streams_;
      }
      auto stream = stub->DeltaAggregatedResources(context.get());
      delta_request first;
      first.set_type_url(address_type);
      first.add_resource_names_subscribe("*");
      if (stream->Write(first)) {
        delta_response r;
        while (stream->Read(&r)) {
          {
            std::lock_guard guard{mutex_};
            for (const auto& name : r.removed_resources())
              held_.erase(name);
            for (const auto& res : r.resources())
              held_[res.name()] = res.resource().value();
            ++responses_;
          }
          delta_request ack;
          ack.set_type_url(address_type);
          ack.set_response_nonce(r.nonce());
          if (!stream->Write(ack))
            break;
        }
      }
      auto status = stream->Finish();
      if (!stopping_) {
        {
          std::lock_guard guard{mutex_};
          last_error_ = std::to_string(status.error_code()) + " " + status.error_message();
        }
        std::this_thread::sleep_for(std::chrono::seconds{1});
      }
    }
  }

  int port_;
  std::atomic<bool> stopping_{false};
  mutable std::mutex mutex_;
  std::shared_ptr<grpc::ClientContext> context_;
  std::map<std::string, std::string> held_;
  int streams_ = 0;
  uint64_t responses_ = 0;
  std::string last_error_;
  std::thread thread_; // last: starts once everything above is built
};

/// The merged view ambientd must serve, recomputed from the simulators' ground truth: every
/// object of every kind a cluster's informers watch, LISTed from each of `clusters`, decoded and
/// merged by mesh/ (a fresh mesh_index, each cluster synced once). Name → serialized Address.
std::map<std::string, std::string> ground_truth(sim_process& sim,
                                                const std::vector<std::string>& clusters) {
  auto config = std::make_shared<mesh::mesh_config>();
  config->cluster_id = "cluster-1";
  mesh::mesh_index index{config};
  kube::decode_limits limits;
  for (const auto& id : clusters) {
    std::string server;
    auto api = sim.api(id, &server);
    for (auto kind : fleet::remote_cluster_resources()) {
      auto r = api.request("GET", server + kube::collection_path(kind));
      if (r.status != 200)
        throw std::runtime_error("ground truth: LIST " + std::string{kube::to_string(kind)} + " of "
                                 + id + ": HTTP " + std::to_string(r.status) + " " + r.error);
      auto list = kube::decode_list(kind, r.body, limits);
      auto* items = std::get_if<kube::object_list>(&list);
      if (!items)
        throw std::runtime_error("ground truth: the " + std::string{kube::to_string(kind)}
                                 + " list of " + id + " does not decode");
      if (items->unnamed > 0)
        throw std::runtime_error("ground truth: an object of " + id + " has no name");
      for (auto& item : items->items) {
        if (!item.object)
          throw std::runtime_error("ground truth: an object of " + id
                                   + " does not decode: " + item.error->message);
        index.upsert(id, 1, std::move(*item.object));
      }
    }
    index.set_state(id, 1, fleet::lifecycle::synced);
  }
  index.take_delta();
  std::map<std::string, std::string> out;
  for (const auto& [name, res] : index.resources())
    out[name] = res->bytes;
  return out;
}

/// How two Address sets differ: names only one side has, and names both have with other bytes.
struct view_diff {
  size_t missing = 0, extra = 0, different = 0;
  std::vector<std::string> samples;
  bool equal() const {
    return missing == 0 && extra == 0 && different == 0;
  }
  std::string text() const {
    std::string s = std::to_string(missing) + " missing, " + std::to_string(extra) + " extra, "
                    + std::to_string(different) + " different";
    for (const auto& n : samples)
      s += "; " + n;
    return s;
  }
};

view_diff compare(const std::map<std::string, std::string>& want,
                  const std::map<std::string, std::string>& got) {
  view_diff d;
  auto sample = [&](const std::string& what, const std::string& name) {
    if (d.samples.size() < 5)
      d.samples.push_back(what + " " + name);
  };
  for (const auto& [name, bytes] : want) {
    auto it = got.find(name);
    if (it == got.end()) {
      ++d.missing;
      sample("missing", name);
    } else if (it->second != bytes) {
      ++d.different;
      sample("different", name);
    }
  }
  for (const auto& [name, bytes] : got)
    if (!want.contains(name)) {
      ++d.extra;
      sample("extra", name);
    }
  return d;
}

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
    switch (pick(0, 17)) {
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
      default:
        return;
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

  stack s{c, n, std::max(1, pods / 20), pods};
  for (int i = 0; i < n; ++i)
    add_index_objects(s.sim, cluster(i), i);
  address_client client{s.amb->xds_port()};
  std::vector<std::string> all;
  for (int i = 0; i < n; ++i)
    all.push_back(cluster(i));
  auto truth = ground_truth(s.sim, all);
  auto until = now_ns() + static_cast<int64_t>(converge_limit * 1e9);
  while (!compare(truth, client.held()).equal() && now_ns() < until)
    sleep_s(0.2);
  if (!compare(truth, client.held()).equal())
    throw std::runtime_error("before any fault, the client's view never matched ground truth: "
                             + compare(truth, client.held()).text());
  // The independent oracle agrees before any fault, and it too can fail.
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
  // The checker must be able to fail: a ground truth without one remote differs from the view.
  auto control = ground_truth(s.sim, std::vector<std::string>(all.begin(), all.end() - 1));
  if (compare(control, client.held()).equal())
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
  log("baseline: " + std::to_string(truth.size()) + " Addresses, " + fmt0(baseline_actors)
      + " live actors, RSS " + fmt0(baseline.rss_mib) + " MiB");

  chaos_driver driver{s, n, seed};
  auto set_churn = [&](int rate) {
    for (int i = 0; i < n; ++i)
      s.sim.admin(cluster(i), "churn?rate=" + std::to_string(rate));
  };

  auto& checks = rep.table({"checkpoint", "after (s)", "clusters in view", "Addresses expected",
                            "client holds", "equal", "converged in (s)", "live actors", "RSS (MiB)",
                            "client streams"});
  int checkpoints = 0, equal = 0, oracle_equal = 0;
  double worst_converge = 0, first_rss = 0, last_rss = 0, end_actors = NAN;
  std::string failures;
  auto t_start = now_ns();
  auto t_end = t_start + static_cast<int64_t>(minutes * 60e9);
  while (true) {
    auto phase_end = std::min(t_end, now_ns() + static_cast<int64_t>(checkpoint_s * 1e9));
    set_churn(churn);
    int actions = 0;
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
      d = compare(truth, client.held());
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
                std::to_string(in_view.size()), std::to_string(truth.size()),
                std::to_string(client.held().size()), d.equal() ? "yes" : "NO",
                std::isnan(converged) ? "never" : fmt2(converged), fmt0(actors), fmt0(st.rss_mib),
                std::to_string(client.streams())});
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
                     {"restarts", s.amb->metric_sum("ambientd_actor_restarts_total")},
                     {"informer_errors", s.amb->metric_sum("ambientd_informer_errors_total")},
                     {"informer_relists", s.amb->metric_sum("ambientd_informer_relists_total")}});
  rep.target("checkpoints where the client's Address set equals ground truth", equal, "",
             checkpoints, "≥");
  rep.target("checkpoints where the client's workloads equal the independent oracle", oracle_equal,
             "", checkpoints, "≥");
  rep.target("slowest convergence after faults stop", worst_converge, "s", converge_limit, "≤");
  rep.target("live actors at the end minus the baseline", end_actors - baseline_actors, "", 0, "≤");
  rep.target("live actors at the end minus the baseline (no fewer)", end_actors - baseline_actors,
             "", 0, "≥");
  double growth = first_rss > 0 ? (last_rss - first_rss) / first_rss * 100 : NAN;
  rep.target("RSS growth, first checkpoint to last", growth, "%", 25, "≤");
  rep.note("ground truth: every object of every kind a cluster's informers watch, LISTed from "
           "kube-sim once faults stopped, merged by mesh/ in a fresh mesh_index; compared byte "
           "for byte with what a delta ADS client (wildcard Address) holds");
  rep.note("independent oracle (bench/harness/workload_oracle.cpp): each ordinary workload's uid, "
           "addresses, cluster and network computed from the Pods' JSON alone, sharing no code "
           "with mesh/ or kube/");
  if (client.streams() > 1)
    rep.note("the client's stream was reopened " + std::to_string(client.streams() - 1)
             + " times; last error: " + client.last_error());
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
