#include "cmd/ambientd/admin_routes.hpp"

#include "actors/ask.hpp"
#include "admin/dashboard.hpp"
#include "admin/debug_views.hpp"
#include "admin/policy_views.hpp"
#include "admin/waypoint_views.hpp"
#include "messages/cluster_status_json.hpp"
#include "messages/type_ids.hpp"
#include "telemetry/actor_directory.hpp"
#include "telemetry/log.hpp"
#include "telemetry/metrics.hpp"

namespace ambient::cmd {

namespace {

constexpr const char* json_type = "application/json";

admin::http_response json(std::string body) {
  return {200, json_type, std::move(body), {}};
}

admin::http_response unavailable(const std::string& who) {
  return {503, "text/plain; charset=utf-8", who + " did not answer in time\n", {}};
}

admin::http_response metrics_page(const admin::http_request&) {
  telemetry::default_actor_directory().sample();
  return {200,
          std::string{telemetry::prometheus_content_type},
          telemetry::default_registry().encode(),
          {}};
}

} // namespace

void add_monitoring_routes(admin::http_server& server, const admin_context& ctx) {
  server.handle("/metrics", metrics_page);
  server.handle("/healthz", [](const admin::http_request&) {
    return admin::http_response{200, "text/plain; charset=utf-8", "ok\n", {}};
  });
  server.handle("/readyz", [ctx](const admin::http_request&) {
    std::optional<messages::cluster_store_status> status;
    if (ctx.has_config_cluster || ctx.require_remote)
      status = actors::ask<messages::cluster_store_status>(*ctx.system, ctx.cluster_store,
                                                           ctx.timeout, atom::status_v);
    auto r = admin::evaluate_readiness(status ? &*status : nullptr, ctx.config_cluster_id,
                                       ctx.has_config_cluster, ctx.xds_serving, ctx.require_remote);
    return admin::http_response{
        r.ready ? 200u : 503u, "text/plain; charset=utf-8", r.reason + "\n", {}};
  });
}

void add_debug_routes(admin::http_server& server, const admin_context& ctx) {
  server.handle("/metrics", metrics_page);
  server.handle("/debug/clusterz", [ctx](const admin::http_request&) {
    auto s = actors::ask<messages::cluster_store_status>(*ctx.system, ctx.cluster_store,
                                                         ctx.timeout, atom::status_v);
    return s ? json(messages::cluster_status_json(*s)) : unavailable("cluster_store");
  });
  server.handle("/debug/workloads", [ctx](const admin::http_request&) {
    auto s = actors::ask<messages::mesh_snapshot>(*ctx.system, ctx.aggregator, ctx.timeout,
                                                  atom::resources_v);
    return s ? json(admin::workloads_json((*s)->resources)) : unavailable("readiness_aggregator");
  });
  server.handle("/debug/policies", [ctx](const admin::http_request&) {
    auto s = actors::ask<messages::mesh_snapshot>(*ctx.system, ctx.aggregator, ctx.timeout,
                                                  atom::resources_v);
    return s ? json(admin::policies_json((*s)->authorizations, (*s)->resources))
             : unavailable("readiness_aggregator");
  });
  server.handle("/debug/waypoints", [ctx](const admin::http_request&) {
    auto s = actors::ask<messages::waypoint_report_ptr>(*ctx.system, ctx.aggregator, ctx.timeout,
                                                        atom::waypoints_v);
    return s ? json(admin::waypoints_json(**s)) : unavailable("readiness_aggregator");
  });
  server.handle("/debug/xds", [ctx](const admin::http_request&) {
    auto s
        = actors::ask<messages::xds_status>(*ctx.system, ctx.publisher, ctx.timeout, atom::debug_v);
    return s ? json(admin::xds_json(*s)) : unavailable("xds_publisher");
  });
  server.handle("/debug/actors", [](const admin::http_request&) {
    return json(admin::actors_json(telemetry::default_actor_directory().snapshot()));
  });
  auto dashboard = [](const admin::http_request&) {
    return admin::http_response{
        200, "text/html; charset=utf-8", std::string{admin::dashboard_html()}, {}};
  };
  server.handle("/", dashboard);
  server.handle("/debug/dashboard", dashboard);
}

std::variant<admin_servers, std::string> start_admin_servers(const ambientd_options& opts,
                                                             const admin_context& ctx) {
  struct wanted {
    const char* flag;
    const std::string& address;
    const char* what;
    void (*routes)(admin::http_server&, const admin_context&);
  };
  admin_servers out;
  auto log = telemetry::make_logger("ambientd");
  for (const auto& w : {wanted{"--monitoring-address", opts.monitoring_address,
                               "/metrics, /healthz, /readyz", add_monitoring_routes},
                        wanted{"--debug-address", opts.debug_address, "/debug and the dashboard",
                               add_debug_routes}}) {
    if (w.address.empty())
      continue;
    admin::http_server_options ho;
    ho.address = w.address;
    ho.threads = 2;
    auto server = std::make_unique<admin::http_server>(ho);
    w.routes(*server, ctx);
    try {
      server->start();
    } catch (const std::exception& e) {
      return std::string{w.flag} + " " + w.address + ": " + e.what();
    }
    log->info("serving {} on {} (port {})", w.what, w.address, server->port());
    out.push_back(std::move(server));
  }
  return out;
}

admin_context make_admin_context(caf::actor_system& system, const process_tree& tree,
                                 const tree_settings& s, bool xds_serving) {
  admin_context ctx;
  ctx.system = &system;
  ctx.cluster_store = tree.cluster_store;
  ctx.aggregator = tree.readiness_aggregator;
  ctx.publisher = tree.xds_publisher;
  ctx.config_cluster_id = s.opts->cluster_id;
  ctx.has_config_cluster = s.config_cluster.has_value();
  ctx.require_remote = s.opts->require_remote_clusters;
  ctx.xds_serving = xds_serving;
  return ctx;
}

} // namespace ambient::cmd
