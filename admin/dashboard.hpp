#pragma once

#include <string_view>

namespace ambient::admin {

/// The dashboard page (debug port, /debug/dashboard): a cluster table, the cross-network paths,
/// the policies served with how many workloads carry each, the live actor tree and the xDS push
/// rate, refreshed every two seconds from /debug/clusterz, /debug/workloads, /debug/policies,
/// /debug/actors and /metrics by the page's own script. Self-contained: no external scripts,
/// styles or fonts.
std::string_view dashboard_html();

} // namespace ambient::admin
