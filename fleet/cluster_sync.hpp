#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "fleet/cluster_registry.hpp"
#include "kube/resource_kind.hpp"

namespace ambient::fleet {

/// The resources a remote cluster watches for the ambient index.
const std::vector<kube::resource_kind>& remote_cluster_resources();

/// What the config cluster watches: the remote resources, and the security.istio.io policies
/// istiod reads from the config cluster only. Like Gateways, they count as empty while their
/// CRD is not installed (the API answers 404), and are listed again until it is.
const std::vector<kube::resource_kind>& config_cluster_resources();

/// The functional core of remote_cluster: folds its informers' sync and health reports into the
/// cluster's lifecycle. `syncing` until every informer has listed once; `timeout` when the sync
/// deadline passes first (it keeps trying, and a late sync is admitted: istio/istio#61339);
/// `synced` ⇄ `stale` as informers lose and regain their API server after the first sync (the
/// last-known-good contribution stays while stale). Pure.
class cluster_sync {
public:
  explicit cluster_sync(std::vector<kube::resource_kind> kinds);

  /// The state before any report.
  lifecycle state() const {
    return state_;
  }

  /// An informer reported; returns the new state when it changed.
  std::optional<lifecycle> on_report(kube::resource_kind k, bool synced, bool healthy,
                                     const std::string& error);
  /// The sync deadline passed; returns `timeout` unless already synced.
  std::optional<lifecycle> on_sync_deadline();

  /// The most recent informer error ("" when all are healthy).
  std::string last_error() const;
  bool ever_synced() const {
    return ever_synced_;
  }

private:
  struct informer_view {
    bool synced = false;
    bool healthy = false;
    std::string error;
  };
  std::optional<lifecycle> settle();

  std::map<kube::resource_kind, informer_view> informers_;
  lifecycle state_ = lifecycle::syncing;
  bool ever_synced_ = false;
  bool deadline_passed_ = false;
};

} // namespace ambient::fleet
