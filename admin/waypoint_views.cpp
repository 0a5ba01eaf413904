#include "admin/waypoint_views.hpp"

#include "admin/debug_views.hpp"
#include "base/json_writer.hpp"

namespace ambient::admin {

namespace {

using base::json_writer;

std::string_view from_name(mesh::attachment_rule::source s) {
  switch (s) {
    case mesh::attachment_rule::source::all:
      return "All";
    case mesh::attachment_rule::source::selector:
      return "Selector";
    case mesh::attachment_rule::source::same:
      break;
  }
  return "Same";
}

void write_selector(json_writer& w, const mesh::label_selector& s) {
  w.begin_object()
      .string_map("matchLabels", s.match_labels())
      .key("matchExpressions")
      .begin_array();
  for (const auto& r : s.match_expressions()) {
    w.begin_object().member("key", r.key).member("operator", mesh::to_string(r.op));
    w.key("values").begin_array();
    for (const auto& v : r.values)
      w.value(v);
    w.end_array().end_object();
  }
  w.end_array().end_object();
}

void write_waypoint(json_writer& w, const mesh::waypoint_report::row& row) {
  const auto& wp = row.record;
  w.begin_object()
      .member("cluster", row.cluster)
      .member("namespace", wp.namespace_)
      .member("name", wp.name)
      .member("class", wp.gateway_class)
      .member("trafficType", wp.traffic_type);
  if (wp.address) {
    istio::workload::GatewayAddress ga;
    mesh::fill_gateway_address(*wp.address, ga);
    write_gateway_address(w.key("address"), ga);
  }
  if (wp.binding)
    w.key("inboundBinding")
        .begin_object()
        .member("protocol", istio::workload::ApplicationTunnel::Protocol_Name(wp.binding->protocol))
        .member("port", static_cast<int64_t>(wp.binding->port))
        .end_object();
  w.key("allowedRoutes").begin_object().member("from", from_name(wp.attach.from));
  if (wp.attach.selector)
    write_selector(w.key("selector"), *wp.attach.selector);
  w.end_object().key("serviceAccounts").begin_array();
  for (const auto& sa : wp.service_accounts)
    w.value(sa);
  w.end_array()
      .member("services", static_cast<int64_t>(row.services))
      .member("workloads", static_cast<int64_t>(row.workloads))
      .member("instances", static_cast<int64_t>(row.instances))
      .end_object();
}

} // namespace

std::string waypoints_json(const mesh::waypoint_report& report) {
  json_writer w;
  w.begin_object().key("waypoints").begin_array();
  for (const auto& row : report.waypoints)
    write_waypoint(w, row);
  w.end_array().key("bindings").begin_array();
  for (const auto& b : report.bindings) {
    w.begin_object()
        .member("cluster", b.cluster)
        .member("kind", b.kind)
        .member("object", b.object)
        .member("waypoint", b.waypoint)
        .member("status", b.status)
        .member("address", b.has_address);
    if (b.ingress_use_waypoint)
      w.member("ingressUseWaypoint", *b.ingress_use_waypoint);
    w.end_object();
  }
  w.end_array().end_object();
  return w.take();
}

} // namespace ambient::admin
