#include "cmd/ambientctl/tables.hpp"

#include <algorithm>
#include <map>
#include <optional>
#include <tuple>

#include "cmd/ambientctl/json_rows.hpp"
#include "cmd/flag_values.hpp"

namespace ambient::cmd {

namespace {

/// Number of UTF-8 code points in `s` (continuation bytes are not counted).
size_t display_width(std::string_view s) {
  return static_cast<size_t>(std::count_if(
      s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

/// A cell as printed: control characters become spaces, empty becomes `-`.
std::string clean_cell(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    out.push_back(u < 0x20 || u == 0x7f ? ' ' : c);
  }
  return out.empty() ? "-" : out;
}

} // namespace

std::string render_table(const std::vector<std::vector<std::string>>& rows) {
  std::vector<std::vector<std::string>> cells;
  std::vector<size_t> widths;
  for (const auto& row : rows) {
    auto& line = cells.emplace_back();
    for (size_t i = 0; i < row.size(); ++i) {
      line.push_back(clean_cell(row[i]));
      if (widths.size() <= i)
        widths.push_back(0);
      widths[i] = std::max(widths[i], display_width(line.back()));
    }
  }
  std::string out;
  for (const auto& line : cells) {
    std::string text;
    for (size_t i = 0; i < line.size(); ++i) {
      text += line[i];
      if (i + 1 < line.size())
        text.append(widths[i] - display_width(line[i]) + 2, ' ');
    }
    while (!text.empty() && text.back() == ' ')
      text.pop_back();
    out += text + '\n';
  }
  return out;
}

table_result remote_clusters_table(std::string_view json) {
  std::vector<std::vector<std::string>> rows{{"NAME", "SECRET", "STATUS", "STALE", "LAST ERROR"}};
  auto error = for_each_element(json, [&](element_reader& r) {
    auto id = r.text("id", true);
    auto secret = r.text("secretName", false);
    auto status = r.text("syncStatus", true);
    auto stale = r.number("staleSeconds");
    auto suspended = r.flag("suspended");
    auto last_error = r.text("lastError", false);
    std::string age;
    if (stale && *stale >= 0)
      age = format_duration(std::chrono::seconds{static_cast<int64_t>(*stale)});
    if (suspended)
      age += age.empty() ? "suspended" : " suspended";
    rows.push_back({id, secret, status, age, last_error});
  });
  if (error)
    return {{}, *error};
  return {render_table(rows), {}};
}

table_result workloads_table(std::string_view json, const workload_filter& filter) {
  struct workload_row {
    std::string namespace_name, name, cluster, addresses, node, network, protocol, waypoint;
  };
  std::vector<workload_row> found;
  auto error = for_each_element(json, [&](element_reader& r) {
    workload_row w;
    w.namespace_name = r.text("namespace", true);
    w.name = r.text("name", true);
    w.cluster = r.text("cluster", true);
    w.addresses = r.joined("addresses");
    w.node = r.text("node", false);
    w.network = r.text("network", false);
    w.protocol = r.text("protocol", false);
    w.waypoint = r.gateway_address("waypoint");
    if (w.waypoint.empty() && r.has("applicationTunnel"))
      w.waypoint = "instance";
    found.push_back(std::move(w));
  });
  if (error)
    return {{}, *error};
  std::erase_if(found, [&](const workload_row& w) {
    return (!filter.namespace_name.empty() && w.namespace_name != filter.namespace_name)
           || (!filter.cluster.empty() && w.cluster != filter.cluster);
  });
  std::stable_sort(found.begin(), found.end(), [](const workload_row& a, const workload_row& b) {
    return std::tie(a.namespace_name, a.name, a.cluster)
           < std::tie(b.namespace_name, b.name, b.cluster);
  });
  std::vector<std::vector<std::string>> rows{
      {"NAMESPACE", "NAME", "CLUSTER", "ADDRESS", "NODE", "NETWORK", "PROTOCOL", "WAYPOINT"}};
  for (auto& w : found)
    rows.push_back({w.namespace_name, w.name, w.cluster, w.addresses, w.node, w.network, w.protocol,
                    w.waypoint});
  return {render_table(rows), {}};
}

workload_policies_result workload_policies(std::string_view json, std::string_view uid) {
  workload_policies_result out;
  auto error = for_each_element(json, [&](element_reader& r) {
    auto id = r.text("uid", true);
    auto policies = r.strings("authorizationPolicies");
    if (id == uid && !out.found) {
      out.found = true;
      out.policies = std::move(policies);
    }
  });
  if (error)
    return {*error, false, {}};
  return out;
}

table_result policies_table(std::string_view json, const std::vector<std::string>* only) {
  struct policy_row {
    std::string scope, action, workloads;
  };
  std::vector<std::string> names;
  std::map<std::string, policy_row, std::less<>> served;
  auto error = for_each_element(json, [&](element_reader& r) {
    auto name = r.text("name", true);
    policy_row p;
    p.scope = r.text("scope", false);
    p.action = r.text("action", false);
    p.workloads = std::to_string(r.strings("workloads").size());
    names.push_back(name);
    served.emplace(std::move(name), std::move(p));
  });
  if (error)
    return {{}, *error};
  std::vector<std::vector<std::string>> rows{{"NAME", "SCOPE", "ACTION", "WORKLOADS"}};
  for (const auto& name : only != nullptr ? *only : names) {
    if (auto it = served.find(name); it != served.end())
      rows.push_back({name, it->second.scope, it->second.action, it->second.workloads});
    else
      rows.push_back({name, "", "not served", ""});
  }
  return {render_table(rows), {}};
}

table_result waypoints_table(std::string_view json, const workload_filter& filter) {
  auto keep = [&](const std::string& ns, const std::string& cluster) {
    return (filter.namespace_name.empty() || ns == filter.namespace_name)
           && (filter.cluster.empty() || cluster == filter.cluster);
  };
  std::vector<std::vector<std::string>> waypoints{
      {"CLUSTER", "NAMESPACE", "NAME", "FOR", "ADDRESS", "ROUTES", "SERVICES", "WORKLOADS"}};
  auto error = for_each_element(
      json,
      [&](element_reader& r) {
        auto cluster = r.text("cluster", true);
        auto ns = r.text("namespace", true);
        auto name = r.text("name", true);
        auto type = r.text("trafficType", false);
        auto address = r.gateway_address("address");
        auto services = r.number("services").value_or(0);
        auto workloads = r.number("workloads").value_or(0);
        if (keep(ns, cluster))
          waypoints.push_back({cluster, ns, name, type, address.empty() ? "none" : address,
                               r.nested_text("allowedRoutes", "from"),
                               std::to_string(static_cast<int64_t>(services)),
                               std::to_string(static_cast<int64_t>(workloads))});
      },
      "waypoints");
  if (error)
    return {{}, *error};
  std::vector<std::vector<std::string>> bindings{
      {"CLUSTER", "KIND", "OBJECT", "WAYPOINT", "STATUS"}};
  error = for_each_element(
      json,
      [&](element_reader& r) {
        auto cluster = r.text("cluster", true);
        auto kind = r.text("kind", true);
        auto object = r.text("object", true);
        auto waypoint = r.text("waypoint", true);
        auto status = r.text("status", true);
        if (status == "Bound" && !r.flag("address"))
          status = "Bound (no address yet)";
        if (keep(object.substr(0, object.find('/')), cluster))
          bindings.push_back({cluster, kind, object, waypoint, status});
      },
      "bindings");
  if (error)
    return {{}, *error};
  return {render_table(waypoints) + "\n" + render_table(bindings), {}};
}

} // namespace ambient::cmd
