#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "bench/harness/processes.hpp"
#include "bench/harness/report.hpp"

namespace ambient::bench {

/// One scenario run's command line: the binaries, where results and scratch files go, and the
/// scenario's own `--flag value` pairs.
struct context {
  std::string scenario, self, kube_sim, ambientd, out, work;
  bool smoke = false;
  std::map<std::string, std::string> f;

  /// A flag's value, or the default for a full run or a smoke run.
  std::string get(const std::string& k, const std::string& normal, const std::string& smoke_v);
  int num(const std::string& k, int normal, int smoke_v);
};

void sleep_s(double s);
/// A progress line on stderr, stamped with CLOCK_MONOTONIC seconds.
void log(const std::string& s);
/// kube-sim's name of the i-th cluster (0-based): "cluster-<i+1>".
std::string cluster(int i);

/// kube-sim with `n` clusters, each seeded, cluster-1 the config cluster and every other one a
/// remote secret in it (when `secrets`), and ambientd synced to all of them. `before_ambientd`
/// (when set) runs once the clusters are seeded, before ambientd starts.
struct stack {
  sim_process sim;
  std::unique_ptr<ambientd_process> amb;
  std::vector<std::string> ids;

  stack(context& c, int n, int services, int pods, bool secrets = true,
        const std::vector<std::string>& ambientd_flags = {},
        const std::function<void(sim_process&)>& before_ambientd = {});
};

/// The chaos soak (bench/chaos): faults, secret churn and pod churn over a kube-sim fleet, with
/// the merged view checked against the simulators' ground truth at every checkpoint.
void chaos(context& c, report& rep);

/// The waypoint scenario (bench/harness/waypoint_scenario.cpp): a namespace labelled
/// istio.io/use-waypoint and unlabelled, timed to the client.
void waypoint(context& c, report& rep);

} // namespace ambient::bench
