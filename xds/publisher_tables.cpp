#include "xds/publisher_tables.hpp"

#include <array>
#include <utility>

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
  constexpr std::array<std::pair<std::string_view, std::string_view>, 6> short_names{{
      {address_type_url, "wds"},
      {authorization_type_url, "wads"},
      {listener_type_url, "lds"},
      {route_type_url, "rds"},
      {cluster_type_url, "cds"},
      {endpoint_type_url, "eds"},
  }};
  for (const auto& [url, name] : short_names)
    if (url == type_url)
      return name;
  return "unknown";
}

} // namespace ambient::xds
