#include "fleet/staleness.hpp"

#include <algorithm>

namespace ambient::fleet {

staleness::staleness(std::string config_cluster_id)
  : config_cluster_id_(std::move(config_cluster_id)) {
  // nop
}

std::vector<std::string> staleness::update(const std::map<std::string, cluster_record>& clusters,
                                           time_point now) {
  std::erase_if(entries_, [&](const auto& kv) { return !clusters.contains(kv.first); });
  std::vector<std::string> resumed;
  for (const auto& [id, rec] : clusters) {
    auto& e = entries_[id];
    if (rec.state == lifecycle::synced || rec.state == lifecycle::stale)
      e.served = true;
    if (rec.state == lifecycle::synced) {
      e.since.reset();
      if (e.suspended)
        resumed.push_back(id);
      e.suspended = false;
    } else if (e.served && !e.since) {
      e.since = now;
    }
  }
  return resumed;
}

std::vector<std::string> staleness::due(time_point now, duration limit) {
  std::vector<std::string> out;
  for (auto& [id, e] : entries_)
    if (e.since && !e.suspended && id != config_cluster_id_ && now - *e.since >= limit) {
      e.suspended = true;
      out.push_back(id);
    }
  return out;
}

std::optional<staleness::time_point> staleness::next_due(duration limit) const {
  std::optional<time_point> out;
  for (const auto& [id, e] : entries_)
    if (e.since && !e.suspended && id != config_cluster_id_)
      out = std::min(out.value_or(*e.since + limit), *e.since + limit);
  return out;
}

std::optional<staleness::duration> staleness::age(const std::string& cluster_id,
                                                  time_point now) const {
  auto it = entries_.find(cluster_id);
  if (it == entries_.end() || !it->second.since)
    return std::nullopt;
  return now - *it->second.since;
}

bool staleness::suspended(const std::string& cluster_id) const {
  auto it = entries_.find(cluster_id);
  return it != entries_.end() && it->second.suspended;
}

bool staleness::any_stale() const {
  return std::any_of(entries_.begin(), entries_.end(),
                     [](const auto& kv) { return kv.second.since.has_value(); });
}

} // namespace ambient::fleet
