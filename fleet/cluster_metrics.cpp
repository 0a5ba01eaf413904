#include "fleet/cluster_metrics.hpp"

#include <array>

namespace ambient::fleet {

namespace {

constexpr std::array<const char*, 4> sync_words{"synced", "syncing", "timeout", "closed"};
constexpr std::array<lifecycle, 6> states{lifecycle::pending, lifecycle::syncing,
                                          lifecycle::synced,  lifecycle::stale,
                                          lifecycle::failed,  lifecycle::timeout};

constexpr const char* status_name = "istiod_remote_cluster_sync_status";
constexpr const char* status_help
    = "1 for the sync status each cluster has now (synced, syncing, timeout, closed), 0 for the "
      "others";
constexpr const char* state_name = "ambientd_cluster_state";
constexpr const char* state_help
    = "1 for ambientd's lifecycle state of each cluster (pending, syncing, synced, stale, failed, "
      "timeout), 0 for the others";

constexpr const char* stale_name = "ambientd_cluster_stale_seconds";
constexpr const char* stale_help
    = "Seconds each cluster's served data has not been current (stale, restarting, or a newer "
      "incarnation not synced); 0 when current";
constexpr const char* suspended_name = "ambientd_cluster_suspended";
constexpr const char* suspended_help
    = "1 while a cluster's data is withheld for being stale longer than --stale-cluster-limit";

telemetry::label_set status_labels(const std::string& id, const char* word) {
  return {{"cluster", id}, {"status", word}};
}

telemetry::label_set state_labels(const std::string& id, lifecycle s) {
  return {{"cluster", id}, {"state", to_string(s)}};
}

} // namespace

const char* istioctl_status(lifecycle s) {
  switch (s) {
    case lifecycle::synced:
    case lifecycle::stale:
      return "synced";
    case lifecycle::timeout:
      return "timeout";
    case lifecycle::failed:
      return "closed";
    case lifecycle::pending:
    case lifecycle::syncing:
      return "syncing";
  }
  return "syncing";
}

cluster_metrics::cluster_metrics(telemetry::registry& r, std::string config_cluster_id)
  : registry_(r), config_cluster_id_(std::move(config_cluster_id)),
    local_(r.add_gauge("istiod_managed_clusters", "Clusters managed, by type (local or remote)",
                       {{"cluster_type", "local"}})),
    remote_(r.add_gauge("istiod_managed_clusters", "Clusters managed, by type (local or remote)",
                        {{"cluster_type", "remote"}})) {}

cluster_metrics::~cluster_metrics() {
  while (!known_.empty())
    drop(known_.begin()->first);
  local_.set(0);
  remote_.set(0);
}

void cluster_metrics::drop(const std::string& cluster_id) {
  for (const auto* w : sync_words)
    registry_.remove(status_name, status_labels(cluster_id, w));
  for (auto s : states)
    registry_.remove(state_name, state_labels(cluster_id, s));
  registry_.remove(stale_name, {{"cluster", cluster_id}});
  registry_.remove(suspended_name, {{"cluster", cluster_id}});
  known_.erase(cluster_id);
}

void cluster_metrics::update(const std::map<std::string, cluster_record>& clusters) {
  for (auto it = known_.begin(); it != known_.end();) {
    auto next = std::next(it);
    if (!clusters.contains(it->first))
      drop(it->first);
    it = next;
  }
  size_t local = 0;
  for (const auto& [id, rec] : clusters) {
    local += id == config_cluster_id_ ? 1 : 0;
    auto [it, added] = known_.try_emplace(id, rec.state);
    if (!added && it->second == rec.state)
      continue;
    if (rec.state == lifecycle::timeout)
      registry_
          .add_counter("remote_cluster_sync_timeouts_total",
                       "Times a cluster did not sync within the sync timeout", {{"cluster", id}})
          .inc();
    it->second = rec.state;
    const std::string word = istioctl_status(rec.state);
    for (const auto* w : sync_words)
      registry_.add_gauge(status_name, status_help, status_labels(id, w)).set(word == w ? 1 : 0);
    for (auto s : states)
      registry_.add_gauge(state_name, state_help, state_labels(id, s)).set(s == rec.state ? 1 : 0);
  }
  local_.set(static_cast<double>(local));
  remote_.set(static_cast<double>(clusters.size() - local));
}

void cluster_metrics::update_staleness(const staleness& s, staleness::time_point now) {
  for (const auto& [id, state] : known_) {
    auto age = s.age(id, now).value_or(staleness::duration::zero());
    registry_.add_gauge(stale_name, stale_help, {{"cluster", id}})
        .set(std::chrono::duration<double>(age).count());
    registry_.add_gauge(suspended_name, suspended_help, {{"cluster", id}})
        .set(s.suspended(id) ? 1 : 0);
  }
}

} // namespace ambient::fleet
