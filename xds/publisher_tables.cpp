#include "xds/publisher_tables.hpp"

namespace ambient::xds {

namespace {

std::size_t apply_change(resource_table& table, proxyless_delta::table_change& change,
                         uint64_t version) {
  if (change.upserts.empty() && change.removes.empty())
    return 0;
  return table.apply(std::move(change.upserts), change.removes, version);
}

} // namespace

publisher_tables::publisher_tables(const std::string& version_prefix) {
  for (auto* t : {&addresses_, &authorizations_, &listeners_, &routes_, &clusters_, &endpoints_})
    t->set_version_prefix(version_prefix);
}

std::size_t publisher_tables::apply(const mesh::mesh_delta& delta) {
  if (delta.empty())
    return 0;
  auto n = addresses_.apply(delta);
  auto p = proxyless_.apply(delta);
  n += apply_change(listeners_, p.listeners, delta.version);
  n += apply_change(routes_, p.routes, delta.version);
  n += apply_change(clusters_, p.clusters, delta.version);
  n += apply_change(endpoints_, p.endpoints, delta.version);
  return n;
}

const resource_table* publisher_tables::find(std::string_view type_url) const {
  for (const auto* t :
       {&addresses_, &authorizations_, &listeners_, &routes_, &clusters_, &endpoints_})
    if (t->type_url() == type_url)
      return t;
  return nullptr;
}

std::string_view metric_type(std::string_view type_url) {
  if (type_url == address_type_url)
    return "wds";
  if (type_url == authorization_type_url)
    return "wads";
  if (type_url == listener_type_url)
    return "lds";
  if (type_url == route_type_url)
    return "rds";
  if (type_url == cluster_type_url)
    return "cds";
  if (type_url == endpoint_type_url)
    return "eds";
  return "unknown";
}

} // namespace ambient::xds
