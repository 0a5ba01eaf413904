#include "admin/debug_views.hpp"

#include <arpa/inet.h>
#include <map>

#include "telemetry/log.hpp"

namespace ambient::admin {

namespace {

std::string quote(std::string_view s) {
  return telemetry::json_string(s);
}

const char* boolean(bool b) {
  return b ? "true" : "false";
}

std::string ip_string(const std::string& bytes) {
  char buf[INET6_ADDRSTRLEN] = {};
  if (bytes.size() == 4)
    inet_ntop(AF_INET, bytes.data(), buf, sizeof buf);
  else if (bytes.size() == 16)
    inet_ntop(AF_INET6, bytes.data(), buf, sizeof buf);
  else
    return "invalid(" + std::to_string(bytes.size()) + " bytes)";
  return buf;
}

std::string actor_node(const telemetry::actor_record& a,
                       const std::multimap<uint64_t, const telemetry::actor_record*>& children) {
  std::string out
      = "{\"id\":" + std::to_string(a.id) + ",\"kind\":" + quote(a.kind)
        + ",\"cluster\":" + quote(a.cluster) + ",\"handled\":" + std::to_string(a.handled)
        + ",\"mailboxDepth\":" + std::to_string(a.mailbox_depth) + ",\"busyMs\":"
        + std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(a.busy_for).count())
        + ",\"children\":[";
  auto [b, e] = children.equal_range(a.id);
  for (auto it = b; it != e; ++it)
    out += (it == b ? "" : ",") + actor_node(*it->second, children);
  return out + "]}";
}

} // namespace

std::string workloads_json(const std::vector<mesh::address_ptr>& resources) {
  std::string out = "[";
  for (const auto& r : resources) {
    if (!r->address.has_workload())
      continue;
    const auto& w = r->address.workload();
    std::vector<std::string> addresses;
    for (const auto& a : w.addresses())
      addresses.push_back(ip_string(a));
    std::vector<std::string> services;
    for (const auto& [key, ports] : w.services())
      services.push_back(key);
    std::sort(services.begin(), services.end());
    if (out.size() > 1)
      out += ',';
    out += "{\"uid\":" + quote(w.uid()) + ",\"name\":" + quote(w.name())
           + ",\"namespace\":" + quote(w.namespace_()) + ",\"cluster\":" + quote(w.cluster_id())
           + ",\"addresses\":" + telemetry::json_array(addresses, quote)
           + ",\"network\":" + quote(w.network()) + ",\"node\":" + quote(w.node())
           + ",\"serviceAccount\":" + quote(w.service_account()) + ",\"protocol\":"
           + quote(w.tunnel_protocol() == istio::workload::HBONE ? "HBONE" : "TCP") + ",\"status\":"
           + quote(w.status() == istio::workload::HEALTHY ? "Healthy" : "Unhealthy")
           + ",\"services\":" + telemetry::json_array(services, quote) + "}";
  }
  return out + "]";
}

std::string xds_json(const messages::xds_status& status) {
  auto table = [](const messages::xds_status::table& t) {
    return "{\"typeUrl\":" + quote(t.type_url) + ",\"version\":" + quote(t.version)
           + ",\"resources\":" + std::to_string(t.resources) + "}";
  };
  auto type = [](const messages::xds_type_row& t) {
    return "{\"typeUrl\":" + quote(t.type_url) + ",\"wildcard\":" + boolean(t.wildcard)
           + ",\"subscribed\":" + std::to_string(t.subscribed)
           + ",\"sent\":" + std::to_string(t.sent) + ",\"responses\":" + std::to_string(t.responses)
           + ",\"acks\":" + std::to_string(t.acks) + ",\"nacks\":" + std::to_string(t.nacks)
           + ",\"lastSentNonce\":" + quote(t.last_sent_nonce) + ",\"lastAckedNonce\":"
           + quote(t.last_acked_nonce) + ",\"lastNackedNonce\":" + quote(t.last_nacked_nonce)
           + ",\"ackedVersion\":" + quote(t.acked_version) + ",\"lastError\":" + quote(t.last_error)
           + "}";
  };
  auto stream = [&](const messages::xds_stream_row& s) {
    return "{\"id\":" + std::to_string(s.id) + ",\"peer\":" + quote(s.peer)
           + ",\"protocol\":" + quote(s.protocol) + ",\"inFlight\":" + boolean(s.in_flight)
           + ",\"types\":" + telemetry::json_array(s.types, type) + "}";
  };
  return "{\"tables\":" + telemetry::json_array(status.tables, table)
         + ",\"streams\":" + telemetry::json_array(status.streams, stream) + "}";
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
  std::string out = "{\"actors\":" + std::to_string(actors.size()) + ",\"tree\":[";
  for (size_t i = 0; i < roots.size(); ++i)
    out += (i == 0 ? "" : ",") + actor_node(*roots[i], children);
  return out + "]}";
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
