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

/// The `ambientctl workloads` table (NAMESPACE NAME CLUSTER ADDRESS NODE NETWORK PROTOCOL) from
/// the body of ambientd's /debug/workloads, sorted by namespace, name and cluster.
table_result workloads_table(std::string_view json, const workload_filter& filter);

} // namespace ambient::cmd
