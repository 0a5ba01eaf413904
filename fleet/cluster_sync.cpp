#include "fleet/cluster_sync.hpp"

#include <algorithm>

namespace ambient::fleet {

const std::vector<kube::resource_kind>& remote_cluster_resources() {
  static const std::vector<kube::resource_kind> kinds{
      kube::resource_kind::namespaces, kube::resource_kind::pods,
      kube::resource_kind::services,   kube::resource_kind::endpoint_slices,
      kube::resource_kind::nodes,      kube::resource_kind::gateways};
  return kinds;
}

const std::vector<kube::resource_kind>& config_cluster_resources() {
  static const std::vector<kube::resource_kind> kinds = [] {
    auto out = remote_cluster_resources();
    out.push_back(kube::resource_kind::authorization_policies);
    out.push_back(kube::resource_kind::peer_authentications);
    out.push_back(kube::resource_kind::gateway_classes);
    return out;
  }();
  return kinds;
}

cluster_sync::cluster_sync(std::vector<kube::resource_kind> kinds) {
  for (auto k : kinds)
    informers_[k];
}

std::optional<lifecycle> cluster_sync::settle() {
  bool all_synced = std::all_of(informers_.begin(), informers_.end(),
                                [](const auto& kv) { return kv.second.synced; });
  bool all_healthy = std::all_of(informers_.begin(), informers_.end(),
                                 [](const auto& kv) { return kv.second.healthy; });
  lifecycle next = state_;
  if (!ever_synced_) {
    if (all_synced) {
      ever_synced_ = true;
      next = all_healthy ? lifecycle::synced : lifecycle::stale;
    } else {
      next = deadline_passed_ ? lifecycle::timeout : lifecycle::syncing;
    }
  } else {
    next = all_healthy ? lifecycle::synced : lifecycle::stale;
  }
  if (next == state_)
    return std::nullopt;
  state_ = next;
  return next;
}

std::optional<lifecycle> cluster_sync::on_report(kube::resource_kind k, bool synced, bool healthy,
                                                 const std::string& error) {
  auto it = informers_.find(k);
  if (it == informers_.end())
    return std::nullopt;
  // An informer that synced once stays synced for admission; health is what changes after.
  it->second.synced = it->second.synced || synced;
  it->second.healthy = healthy;
  it->second.error = error;
  return settle();
}

std::optional<lifecycle> cluster_sync::on_sync_deadline() {
  deadline_passed_ = true;
  return settle();
}

std::string cluster_sync::last_error() const {
  for (const auto& [k, v] : informers_)
    if (!v.error.empty())
      return std::string{to_string(k)} + ": " + v.error;
  return {};
}

} // namespace ambient::fleet
