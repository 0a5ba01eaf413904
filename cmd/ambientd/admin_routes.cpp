#include "cmd/ambientd/admin_routes.hpp"

#include "actors/ask.hpp"
#include "admin/dashboard.hpp"
#include "admin/debug_views.hpp"
#include "messages/type_ids.hpp"
#include "telemetry/actor_directory.hpp"
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
                                       ctx.has_config_cluster, ctx.xds_serving->load(),
                                       ctx.require_remote);
    return admin::http_response{
        r.ready ? 200u : 503u, "text/plain; charset=utf-8", r.reason + "\n", {}};
  });
}

void add_debug_routes(admin::http_server& server, const admin_context& ctx) {
  server.handle("/metrics", metrics_page);
  server.handle("/debug/clusterz", [ctx](const admin::http_request&) {
    auto s = actors::ask<messages::cluster_store_status>(*ctx.system, ctx.cluster_store,
                                                         ctx.timeout, atom::status_v);
    return s ? json(admin::clusterz_json(*s)) : unavailable("cluster_store");
  });
  server.handle("/debug/workloads", [ctx](const admin::http_request&) {
    auto s = actors::ask<messages::mesh_snapshot>(*ctx.system, ctx.aggregator, ctx.timeout,
                                                  atom::resources_v);
    return s ? json(admin::workloads_json(**s)) : unavailable("readiness_aggregator");
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

} // namespace ambient::cmd
