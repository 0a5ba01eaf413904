#pragma once

#include <map>
#include <string>

#include "fleet/cluster_registry.hpp"
#include "fleet/staleness.hpp"
#include "telemetry/metrics.hpp"

namespace ambient::fleet {

/// istioctl's sync status word for a lifecycle state (`istioctl remote-clusters`, /debug/clusterz
/// syncStatus, istiod_remote_cluster_sync_status): synced, syncing, timeout or closed.
const char* istioctl_status(lifecycle s);

/// Keeps the cluster metrics in step with the cluster registry, under istiod's names:
/// - istiod_managed_clusters{cluster_type=local|remote}: clusters known, the config cluster local;
/// - istiod_remote_cluster_sync_status{cluster,status}: 1 for the cluster's istioctl status, 0 for
///   the other three; the same word /debug/clusterz shows (istio/istio#60082 fixed by
///   construction: both read one registry);
/// - remote_cluster_sync_timeouts_total{cluster}: times the cluster entered `timeout`;
/// - ambientd_cluster_state{cluster,state}: 1 for ambientd's own lifecycle state, 0 otherwise;
/// - ambientd_cluster_stale_seconds{cluster}: how long the cluster's served data has not been
///   current (0 when current), and ambientd_cluster_suspended{cluster}: 1 while it is withheld
///   for being stale longer than --stale-cluster-limit (fleet::staleness).
/// A cluster that leaves the registry loses its status and state series; its timeout count stays.
class cluster_metrics {
public:
  cluster_metrics(telemetry::registry& r, std::string config_cluster_id);
  ~cluster_metrics();
  cluster_metrics(const cluster_metrics&) = delete;
  cluster_metrics& operator=(const cluster_metrics&) = delete;

  /// Brings every series up to date with `clusters` (call after each registry change).
  void update(const std::map<std::string, cluster_record>& clusters);
  /// Brings the staleness series of every known cluster up to date (call after update, and
  /// periodically while a cluster is stale: an age is a reading, not an event).
  void update_staleness(const staleness& s, staleness::time_point now);

private:
  void drop(const std::string& cluster_id);

  telemetry::registry& registry_;
  std::string config_cluster_id_;
  telemetry::gauge& local_;
  telemetry::gauge& remote_;
  std::map<std::string, lifecycle> known_;
};

} // namespace ambient::fleet
