#pragma once

#include <cstdint>

namespace ambient::fleet {

/// Where a cluster is in its life (design.md "Cluster states"): pending → syncing → synced ⇄
/// stale; failed; timeout (not synced within the sync timeout; admitted once it syncs).
enum class lifecycle : uint8_t { pending, syncing, synced, stale, failed, timeout };

/// Returns the lower-case name of a lifecycle state.
const char* to_string(lifecycle s);

} // namespace ambient::fleet
