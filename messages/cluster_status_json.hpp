#pragma once

#include <string>

#include "messages/cluster.hpp"

namespace ambient::messages {

/// The clusters as JSON, for /debug/clusterz and the status ConfigMap's clusters.json: an array
/// with istiod's fields (id, secretName, syncStatus) and ambientd's own (state, lastError,
/// restarts, generation, since, staleSeconds (null when the data is current), suspended,
/// informers). The config cluster is listed with an empty
/// secretName. Never shows a kubeconfig or anything from one.
std::string cluster_status_json(const cluster_store_status& status);

/// The clusters as text, one line a cluster ("id: syncStatus (state): last error"), for the
/// status ConfigMap's summary.
std::string cluster_status_summary(const cluster_store_status& status);

} // namespace ambient::messages
