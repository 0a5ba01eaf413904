#include "admin/debug_views.hpp"

#include <algorithm>
#include <map>

#include "base/json_writer.hpp"
#include "mesh/context.hpp"

namespace ambient::admin {

namespace {

using base::json_writer;

/// An address as text; a malformed one says so instead of vanishing from the view.
std::string ip_string(const std::string& bytes) {
  auto text = mesh::ip_text(bytes);
  return text.empty() ? "invalid(" + std::to_string(bytes.size()) + " bytes)" : text;
}

void actor_node(json_writer& w, const telemetry::actor_record& a,
                const std::multimap<uint64_t, const telemetry::actor_record*>& children) {
  auto busy = std::chrono::duration_cast<std::chrono::milliseconds>(a.busy_for).count();
  w.begin_object()
      .member("id", a.id)
      .member("kind", a.kind)
      .member("cluster", a.cluster)
      .member("handled", a.handled)
      .member("mailboxDepth", a.mailbox_depth)
      .member("busyMs", static_cast<int64_t>(busy));
  w.key("children").begin_array();
  auto [b, e] = children.equal_range(a.id);
  for (auto it = b; it != e; ++it)
    actor_node(w, *it->second, children);
  w.end_array().end_object();
}

} // namespace

void write_gateway_address(json_writer& w, const istio::workload::GatewayAddress& gw) {
  w.begin_object();
  if (gw.has_address())
    w.member("network", gw.address().network())
        .member("address", ip_string(gw.address().address()));
  else
    w.member("namespace", gw.hostname().namespace_()).member("hostname", gw.hostname().hostname());
  w.member("hboneMtlsPort", static_cast<int64_t>(gw.hbone_mtls_port())).end_object();
}

std::string workloads_json(const std::vector<mesh::address_ptr>& resources) {
  json_writer w;
  w.begin_array();
  for (const auto& r : resources) {
    if (!r->address.has_workload())
      continue;
    const auto& wl = r->address.workload();
    std::vector<std::string> services;
    for (const auto& [key, ports] : wl.services())
      services.push_back(key);
    std::sort(services.begin(), services.end());
    w.begin_object()
        .member("uid", wl.uid())
        .member("name", wl.name())
        .member("namespace", wl.namespace_())
        .member("cluster", wl.cluster_id());
    w.key("addresses").begin_array();
    for (const auto& a : wl.addresses())
      w.value(ip_string(a));
    w.end_array()
        .member("network", wl.network())
        .member("node", wl.node())
        .member("serviceAccount", wl.service_account())
        .member("protocol", wl.tunnel_protocol() == istio::workload::HBONE ? "HBONE" : "TCP")
        .member("status", wl.status() == istio::workload::HEALTHY ? "Healthy" : "Unhealthy");
    w.key("services").begin_array();
    for (const auto& s : services)
      w.value(s);
    w.end_array();
    // In the workload's order: the order ztunnel reads them in.
    w.key("authorizationPolicies").begin_array();
    for (const auto& p : wl.authorization_policies())
      w.value(p);
    w.end_array();
    if (!wl.hostname().empty())
      w.member("hostname", wl.hostname());
    if (wl.has_capacity())
      w.member("capacity", static_cast<int64_t>(wl.capacity().value()));
    // Where the workload is reached through: a split-horizon workload's network gateway.
    if (wl.has_network_gateway())
      write_gateway_address(w.key("networkGateway"), wl.network_gateway());
    if (wl.has_waypoint())
      write_gateway_address(w.key("waypoint"), wl.waypoint());
    if (wl.has_application_tunnel())
      w.key("applicationTunnel")
          .begin_object()
          .member("protocol", istio::workload::ApplicationTunnel::Protocol_Name(
                                  wl.application_tunnel().protocol()))
          .member("port", static_cast<int64_t>(wl.application_tunnel().port()))
          .end_object();
    w.end_object();
  }
  w.end_array();
  return w.take();
}

std::string xds_json(const messages::xds_status& status) {
  json_writer w;
  w.begin_object().key("tables").begin_array();
  for (const auto& t : status.tables)
    w.begin_object()
        .member("typeUrl", t.type_url)
        .member("version", t.version)
        .member("resources", t.resources)
        .end_object();
  w.end_array().key("streams").begin_array();
  for (const auto& s : status.streams) {
    w.begin_object()
        .member("id", s.id)
        .member("peer", s.peer)
        .member("protocol", s.protocol)
        .member("inFlight", s.in_flight);
    w.key("types").begin_array();
    for (const auto& t : s.types)
      w.begin_object()
          .member("typeUrl", t.type_url)
          .member("wildcard", t.wildcard)
          .member("subscribed", t.subscribed)
          .member("sent", t.sent)
          .member("responses", t.responses)
          .member("acks", t.acks)
          .member("nacks", t.nacks)
          .member("lastSentNonce", t.last_sent_nonce)
          .member("lastAckedNonce", t.last_acked_nonce)
          .member("lastNackedNonce", t.last_nacked_nonce)
          .member("ackedVersion", t.acked_version)
          .member("lastError", t.last_error)
          .end_object();
    w.end_array().end_object();
  }
  w.end_array().end_object();
  return w.take();
}

std::string actors_json(const std::vector<telemetry::actor_record>& actors) {
  std::map<uint64_t, const telemetry::actor_record*> by_id;
  for (const auto& a : actors)
    by_id[a.id] = &a;
  std::multimap<uint64_t, const telemetry::actor_record*> children;
  std::vector<const telemetry::actor_record*> roots;
  for (const auto& a : actors) {
    if (a.parent != 0 && by_id.contains(a.parent))
      children.emplace(a.parent, &a);
    else
      roots.push_back(&a);
  }
  json_writer w;
  w.begin_object().member("actors", actors.size()).key("tree").begin_array();
  for (const auto* root : roots)
    actor_node(w, *root, children);
  w.end_array().end_object();
  return w.take();
}

readiness evaluate_readiness(const messages::cluster_store_status* status,
                             const std::string& config_cluster_id, bool has_config_cluster,
                             bool xds_serving, bool require_remote) {
  if (!xds_serving)
    return {false, "xDS is not serving"};
  if (!has_config_cluster && !require_remote)
    return {true, "ready"};
  if (status == nullptr)
    return {false, "cluster_store did not answer"};
  for (const auto& c : status->clusters) {
    bool synced = c.state == fleet::lifecycle::synced || c.state == fleet::lifecycle::stale;
    if (c.cluster_id == config_cluster_id) {
      if (!synced)
        return {false, "config cluster " + c.cluster_id + " is " + fleet::to_string(c.state)};
    } else if (require_remote
               && (c.state == fleet::lifecycle::pending || c.state == fleet::lifecycle::syncing)) {
      return {false, "remote cluster " + c.cluster_id + " is " + fleet::to_string(c.state)};
    }
  }
  if (has_config_cluster) {
    bool listed = false;
    for (const auto& c : status->clusters)
      listed = listed || c.cluster_id == config_cluster_id;
    if (!listed)
      return {false, "config cluster " + config_cluster_id + " is not registered yet"};
  }
  return {true, "ready"};
}

} // namespace ambient::admin
