#include "xds/publisher_tables.hpp"

#include <algorithm>
#include <array>
#include <utility>

#include "mesh/context.hpp"

namespace ambient::xds {

namespace {

void add_alias(std::vector<std::string>& out, const std::string& network, const std::string& ip) {
  auto text = mesh::ip_text(ip);
  if (!text.empty())
    out.push_back(network + "/" + text);
}

std::size_t apply_change(resource_table& table, proxyless_delta::table_change& change,
                         uint64_t version) {
  if (change.upserts.empty() && change.removes.empty())
    return 0;
  return table.apply(std::move(change.upserts), change.removes, version);
}

} // namespace

std::vector<std::string> address_aliases(const istio::workload::Address& address) {
  std::vector<std::string> out;
  if (address.has_workload()) {
    const auto& w = address.workload();
    for (const auto& ip : w.addresses())
      add_alias(out, w.network(), ip);
  } else if (address.has_service()) {
    for (const auto& vip : address.service().addresses())
      add_alias(out, vip.network(), vip.address());
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::size_t apply_addresses(resource_table& table, const mesh::mesh_delta& delta) {
  if (delta.empty())
    return 0;
  std::vector<resource_update> upserts;
  upserts.reserve(delta.upserted.size());
  for (const auto& r : delta.upserted) {
    if (!r)
      continue;
    address_lookup lookup;
    if (r->address.has_workload()) {
      lookup.workload = true;
      lookup.node = r->address.workload().node();
      for (const auto& [key, ports] : r->address.workload().services())
        lookup.services.push_back(key);
    }
    upserts.push_back({r->name, r->bytes, address_aliases(r->address), std::move(lookup)});
  }
  return table.apply(std::move(upserts), delta.removed, delta.version);
}

std::size_t apply_authorizations(resource_table& table, const mesh::mesh_delta& delta) {
  if (delta.authorizations_upserted.empty() && delta.authorizations_removed.empty())
    return 0;
  std::vector<resource_update> upserts;
  upserts.reserve(delta.authorizations_upserted.size());
  for (const auto& r : delta.authorizations_upserted)
    upserts.push_back({r->name, r->bytes, {}, {}});
  return table.apply(std::move(upserts), delta.authorizations_removed, delta.version);
}

publisher_tables::publisher_tables(const std::string& version_prefix) {
  for (auto* t : {&addresses_, &authorizations_, &listeners_, &routes_, &clusters_, &endpoints_})
    t->set_version_prefix(version_prefix);
}

std::size_t publisher_tables::apply(const mesh::mesh_delta& delta) {
  if (delta.empty())
    return 0;
  auto n = apply_addresses(addresses_, delta);
  n += apply_authorizations(authorizations_, delta);
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
