#pragma once

#include <map>
#include <optional>
#include <string>

#include "sim/admin_api.hpp"

namespace ambient::sim {

/// Applies one action of a cluster's fault menu (down, up, fail, stall-watches, cut-watches,
/// expire-watches, compact, malformed-events, refuse-list, latency, gateway-api, tokenreview,
/// rotate-ca, revoke-token; see docs/kube-sim.md) with its query parameters `q`: the admin API's
/// reply (200, or 400 naming a bad parameter), or nullopt when `action` is not on the menu.
std::optional<admin_api::response> apply_fault(sim_cluster& c, const std::string& action,
                                               const std::map<std::string, std::string>& q);

} // namespace ambient::sim
