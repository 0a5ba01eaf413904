#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "mesh/mesh_index.hpp"
#include "xds/proxyless.hpp"
#include "xds/resource_table.hpp"
#include "xds/type_urls.hpp"

namespace ambient::xds {

/// Every table ambientd serves, fed by the merged view's deltas: istio.workload.Address and
/// istio.security.Authorization (for ztunnel), and the four proxyless gRPC types derived from the
/// Address view. One
/// mesh delta moves every table to the delta's version, so a stream that reads several types sees
/// them at one version. Pure: no I/O.
class publisher_tables {
public:
  /// Tables whose versions carry `version_prefix` (see resource_table::set_version_prefix).
  explicit publisher_tables(const std::string& version_prefix = {});

  /// Applies one delta of the merged view to every table; returns the number of resources
  /// changed across all of them.
  std::size_t apply(const mesh::mesh_delta& delta);

  /// The table serving `type_url`, or null for a type ambientd does not serve.
  const resource_table* find(std::string_view type_url) const;

  const resource_table& addresses() const {
    return addresses_;
  }
  const resource_table& authorizations() const {
    return authorizations_;
  }

private:
  resource_table addresses_{std::string{address_type_url}};
  resource_table authorizations_{std::string{authorization_type_url}};
  resource_table listeners_{std::string{listener_type_url}};
  resource_table routes_{std::string{route_type_url}};
  resource_table clusters_{std::string{cluster_type_url}};
  resource_table endpoints_{std::string{endpoint_type_url}};
  proxyless_view proxyless_;
};

/// The on-demand aliases of an Address: "network/ip" of each workload address or service VIP.
std::vector<std::string> address_aliases(const istio::workload::Address& address);

/// A delta of the merged view as changes of the istio.workload.Address table (the one place that
/// turns mesh resources into table entries): every upserted resource's bytes, aliases and
/// lookup keys. Applies them to `table`; returns the number of resources changed.
std::size_t apply_addresses(resource_table& table, const mesh::mesh_delta& delta);

/// A delta's Authorization changes applied to `table` (names `<namespace>/<name>`); returns the
/// number of resources changed.
std::size_t apply_authorizations(resource_table& table, const mesh::mesh_delta& delta);

/// The short name of a type for metrics and logs, as istiod's metric labels have it: "wds"
/// (Address), "wads" (Authorization), "lds", "rds", "cds", "eds"; "unknown" otherwise.
std::string_view metric_type(std::string_view type_url);

} // namespace ambient::xds
