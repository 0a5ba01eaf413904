#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace ambient::cmd {

/// A rendered table, or why the JSON it was made from was refused (then `text` is empty).
struct table_result {
  std::string text;
  std::string error; ///< names the element index and field, e.g. `element 2: "id" is missing`

  /// Whether the table was rendered.
  bool ok() const {
    return error.empty();
  }
};

/// Which rows of `ambientctl workloads` to keep; an empty field keeps every row.
struct workload_filter {
  std::string namespace_name;
  std::string cluster;
};

/// Lays out rows as left-aligned columns separated by at least two spaces (widths counted in
/// UTF-8 code points). The first row is the header. Control characters in cells (a newline in
/// an error message) become spaces, an empty cell becomes `-`, and lines carry no trailing blanks.
std::string render_table(const std::vector<std::vector<std::string>>& rows);

/// The `ambientctl remote-clusters` table from the body of ambientd's /debug/clusterz, rows in
/// the body's order: istioctl's NAME SECRET STATUS and LAST ERROR, and STALE, how long the
/// cluster's served data has not been current ("-" when it is; "suspended" when its workloads
/// were withdrawn for it).
table_result remote_clusters_table(std::string_view json);

/// The `ambientctl workloads` table (NAMESPACE NAME CLUSTER ADDRESS NODE NETWORK PROTOCOL
/// WAYPOINT) from the body of ambientd's /debug/workloads, sorted by namespace, name and cluster.
/// WAYPOINT is the waypoint's `namespace/hostname` or address; a waypoint's own instance shows
/// `instance` (it carries an application tunnel instead).
table_result workloads_table(std::string_view json, const workload_filter& filter);

/// The policies one workload lists, read from the body of ambientd's /debug/workloads.
struct workload_policies_result {
  std::string error;                 ///< why the body was refused; then the rest is empty
  bool found = false;                ///< a workload has the uid asked for
  std::vector<std::string> policies; ///< its authorizationPolicies, in its order
};

/// The `authorizationPolicies` of the workload `uid` in the body of ambientd's /debug/workloads.
workload_policies_result workload_policies(std::string_view json, std::string_view uid);

/// The `ambientctl policies` table (NAME SCOPE ACTION WORKLOADS, the last the number of workloads
/// that list the policy) from the body of ambientd's /debug/policies: every policy in the body's
/// order, or with `only`, the names it holds in its order; a name not served gets the row
/// `NAME - not served -` (a workload may list a policy istiod does not send, see
/// docs/authorization.md).
table_result policies_table(std::string_view json, const std::vector<std::string>* only);

/// The `ambientctl waypoints` tables from the body of ambientd's /debug/waypoints: the waypoints
/// (CLUSTER NAMESPACE NAME FOR ADDRESS ROUTES SERVICES WORKLOADS), then, after a blank line, the
/// objects naming one (CLUSTER KIND OBJECT WAYPOINT STATUS), in the body's order; `filter` keeps
/// only a namespace's (the waypoint's, or the object's) and a cluster's rows.
table_result waypoints_table(std::string_view json, const workload_filter& filter);

} // namespace ambient::cmd
