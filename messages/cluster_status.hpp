#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <caf/error.hpp>
#include <caf/meta/load_callback.hpp>
#include <caf/meta/type_name.hpp>
#include <caf/sec.hpp>

namespace ambient::messages {

/// Lifecycle of one cluster entry in cluster_store (docs/architecture.md, "Cluster states").
enum class cluster_state : uint8_t {
  pending, ///< entry stored, actor starting
  syncing, ///< informers listing
  synced,  ///< every informer has finished its initial list; the cluster is in the merged view
  stale,   ///< was synced, lost its API server; last-known-good contribution kept
  failed,  ///< bad kubeconfig, auth rejected or sync timeout
  removed, ///< secret or key deleted; contribution withdrawn
};

/// Returns the lower-case name used in logs, status and metrics labels.
std::string_view to_string(cluster_state s);

/// Parses a name produced by to_string.
std::optional<cluster_state> parse_cluster_state(std::string_view name);

/// One cluster's health as cluster_store reports it (/debug/clusterz, status ConfigMap).
struct cluster_status {
  std::string cluster_id;
  std::string secret_name;
  cluster_state state = cluster_state::pending;
  std::string last_error;
  uint32_t restarts = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, cluster_status& x) {
  // The state travels as its underlying integer (the enum's order is wire format) and is range
  // checked on load, so a corrupt byte is an error rather than an invalid enum value.
  auto state = static_cast<uint8_t>(x.state);
  auto check_state = caf::meta::load_callback([&]() -> caf::error {
    if (state > static_cast<uint8_t>(cluster_state::removed))
      return caf::make_error(caf::sec::invalid_argument, "cluster_state out of range");
    x.state = static_cast<cluster_state>(state);
    return caf::none;
  });
  return f(caf::meta::type_name("cluster_status"), x.cluster_id, x.secret_name, state, x.last_error,
           x.restarts, check_state);
}

inline bool operator==(const cluster_status& a, const cluster_status& b) {
  return a.cluster_id == b.cluster_id && a.secret_name == b.secret_name && a.state == b.state
         && a.last_error == b.last_error && a.restarts == b.restarts;
}

} // namespace ambient::messages
