#pragma once

#include "bench/clock.hpp"

#include <sys/types.h>

#include <cstdint>
#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "support/child_process.hpp"
#include "support/https_client.hpp"

namespace ambient::bench {

/// A process's CPU time (user + system) and memory, from /proc.
struct proc_stats {
  double cpu_seconds = 0;
  double rss_mib = 0;
  double peak_rss_mib = 0; ///< VmHWM
};
proc_stats read_stats(pid_t pid);

/// kube-sim as its own process: K clusters, the admin API, a client per cluster's API server.
class sim_process {
public:
  sim_process(const std::string& binary, int clusters, const std::string& dir, int threads);
  /// POST <admin>/clusters/<cluster>/<action>; exits the bench on failure.
  void admin(const std::string& cluster, const std::string& action_and_query);
  std::string admin_get(const std::string& path);
  std::string kubeconfig_path(const std::string& cluster) const {
    return dir_ + "/" + cluster + ".kubeconfig";
  }
  std::string kubeconfig(const std::string& cluster) const;
  /// A client of the cluster's API server, from its kubeconfig.
  test::https_client api(const std::string& cluster, std::string* server) const;
  /// Creates or replaces the remote secret for `cluster` in cluster-1's istio-system.
  void put_remote_secret(const std::string& cluster);
  /// Creates or replaces remote secret `name` (labelled istio/multiCluster=true) in cluster-1's
  /// istio-system with `data` (cluster ID → kubeconfig); false (and why, in `error`) when
  /// cluster-1's API server refuses or is unreachable.
  bool put_secret(const std::string& name, const std::map<std::string, std::string>& data,
                  std::string* error = nullptr);
  /// Deletes secret `name` from cluster-1's istio-system (absent is fine); false as above.
  bool delete_secret(const std::string& name, std::string* error = nullptr);
  /// Stamps written by `POST stamp`: "<stamp> → steady ns".
  std::map<std::string, int64_t> stamps(const std::string& cluster, int index,
                                        const std::string& tag);
  pid_t pid() const {
    return proc_->pid();
  }

private:
  std::string dir_, admin_url_;
  std::unique_ptr<test::child_process> proc_;
};

/// ambientd as its own process against cluster-1 of a sim_process.
class ambientd_process {
public:
  ambientd_process(const std::string& binary, const sim_process& sim, const std::string& log,
                   const std::vector<std::string>& extra = {});
  int xds_port() const {
    return xds_port_;
  }
  pid_t pid() const {
    return proc_->pid();
  }
  bool running() {
    return proc_->running();
  }
  /// Cluster ID → `state` from /debug/clusterz ("synced", "stale", ...).
  std::map<std::string, std::string> cluster_states();
  /// Waits until every cluster in `ids` is synced; false after `limit_s`.
  bool wait_synced(const std::vector<std::string>& ids, double limit_s);
  /// Resources in the publisher's istio.workload.Address table (/debug/xds); -1 when unreadable.
  long address_resources();
  /// Waits until the Address table holds at least `min` resources and stays the same size for
  /// 300 ms (the merged view caught up with every synced cluster); returns that size, or -1
  /// after `limit_s`.
  long wait_view(long min, double limit_s);
  /// The sum of a metric's samples on /metrics (0 when absent).
  double metric_sum(const std::string& name);

private:
  std::unique_ptr<test::child_process> proc_;
  int xds_port_ = 0, monitoring_port_ = 0, debug_port_ = 0;
};

/// The xDS client fleet (bench/xds/delta_fleet) as its own process, over pipes.
class fleet_process {
public:
  fleet_process(const std::string& self, int port, int streams, int channels, bool full,
                bool stamps);
  ~fleet_process();
  std::string line();
  void say(const std::string& s);
  pid_t pid() const {
    return pid_;
  }

private:
  pid_t pid_ = -1;
  FILE* to_ = nullptr;
  FILE* from_ = nullptr;
};

/// p in [0, 1] of `v` (sorted in place).
double percentile(std::vector<double>& v, double p);

} // namespace ambient::bench
