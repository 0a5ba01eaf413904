#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "fleet/cluster_registry.hpp"

namespace ambient::fleet {

/// How old each cluster's served data is, and which clusters held it longer than
/// `--stale-cluster-limit` (issue 23, bounded staleness). A cluster's data is served once one of
/// its incarnations reached `synced` or `stale` (the merged view admits both); from then on it is
/// *not current* while the registry's newest incarnation is anything but `synced`: a failing watch
/// (`stale`), a crash and its restart, or a changed kubeconfig whose incarnation has not synced
/// (or was refused). It is current again when the newest incarnation is `synced`. A cluster not
/// current for longer than the limit is *suspended*: its contribution leaves the merged view until
/// it is current again. The config cluster shows its age but is never suspended (like
/// withdrawal, which it never is either). Pure: time is an input.
class staleness {
public:
  using time_point = std::chrono::steady_clock::time_point;
  using duration = std::chrono::steady_clock::duration;

  explicit staleness(std::string config_cluster_id);

  /// Brings every cluster up to date with the registry's records (call after each registry
  /// change); forgets clusters that left it. Returns the suspended clusters that are current
  /// again: no longer suspended, their newest incarnation is to be re-admitted.
  std::vector<std::string> update(const std::map<std::string, cluster_record>& clusters,
                                  time_point now);

  /// The clusters not current for at least `limit`, not suspended yet and not the config
  /// cluster, marked suspended by this call.
  std::vector<std::string> due(time_point now, duration limit);

  /// When the next cluster becomes due under `limit`; nullopt when none is on its way.
  std::optional<time_point> next_due(duration limit) const;

  /// How long `cluster_id`'s served data has not been current; nullopt when it is current or
  /// nothing of it was ever served.
  std::optional<duration> age(const std::string& cluster_id, time_point now) const;

  /// Whether `cluster_id` is suspended.
  bool suspended(const std::string& cluster_id) const;

  /// Whether any cluster is not current (its age grows).
  bool any_stale() const;

private:
  struct entry {
    bool served = false;             ///< an incarnation reached synced or stale
    std::optional<time_point> since; ///< not current since; empty when current
    bool suspended = false;
  };

  std::string config_cluster_id_;
  std::map<std::string, entry> entries_;
};

} // namespace ambient::fleet
