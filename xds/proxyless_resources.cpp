#include "xds/proxyless_resources.hpp"

#include <algorithm>
#include <set>
#include <utility>

#include <google/protobuf/any.pb.h>
#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

#include "envoy/config/cluster/v3/cluster.pb.h"
#include "envoy/config/core/v3/config_source.pb.h"
#include "envoy/config/endpoint/v3/endpoint.pb.h"
#include "envoy/config/listener/v3/listener.pb.h"
#include "envoy/config/route/v3/route.pb.h"
#include "envoy/extensions/filters/http/router/v3/router.pb.h"
#include "envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager.pb.h"

namespace ambient::xds {

namespace {

namespace cluster = envoy::config::cluster::v3;
namespace core = envoy::config::core::v3;
namespace endpoint = envoy::config::endpoint::v3;
using envoy::config::listener::v3::Listener;
using envoy::config::route::v3::RouteConfiguration;
using envoy::extensions::filters::http::router::v3::Router;
using envoy::extensions::filters::network::http_connection_manager::v3::HttpConnectionManager;

constexpr std::string_view hcm_type_url
    = "type.googleapis.com/"
      "envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager";
constexpr std::string_view router_type_url
    = "type.googleapis.com/envoy.extensions.filters.http.router.v3.Router";

/// Serializes `m` deterministically (as mesh::make_resource does), so equal resources have equal
/// bytes and the tables recognise unchanged ones.
std::string serialize(const google::protobuf::MessageLite& m) {
  std::string out;
  {
    google::protobuf::io::StringOutputStream stream{&out};
    google::protobuf::io::CodedOutputStream coded{&stream};
    coded.SetSerializationDeterministic(true);
    m.SerializeToCodedStream(&coded);
  }
  return out;
}

void pack(google::protobuf::Any* any, std::string_view type_url,
          const google::protobuf::MessageLite& m) {
  any->set_type_url(std::string{type_url});
  any->set_value(serialize(m));
}

void over_ads(core::ConfigSource* source) {
  source->mutable_ads();
  source->set_resource_api_version(core::V3);
}

} // namespace

std::string listener_bytes(std::string_view hostname, uint32_t port) {
  HttpConnectionManager manager;
  auto* rds = manager.mutable_rds();
  over_ads(rds->mutable_config_source());
  rds->set_route_config_name(listener_name(hostname, port));
  auto* filter = manager.add_http_filters();
  filter->set_name("envoy.filters.http.router");
  pack(filter->mutable_typed_config(), router_type_url, Router{});
  Listener l;
  l.set_name(listener_name(hostname, port));
  pack(l.mutable_api_listener()->mutable_api_listener(), hcm_type_url, manager);
  return serialize(l);
}

std::string route_bytes(std::string_view hostname, uint32_t port) {
  RouteConfiguration rc;
  rc.set_name(listener_name(hostname, port));
  auto* vhost = rc.add_virtual_hosts();
  vhost->set_name(listener_name(hostname, port));
  vhost->add_domains(std::string{hostname});
  vhost->add_domains(listener_name(hostname, port));
  auto* r = vhost->add_routes();
  r->mutable_match()->set_prefix("");
  r->mutable_route()->set_cluster(cluster_name(hostname, port));
  return serialize(rc);
}

std::string cluster_bytes(std::string_view hostname, uint32_t port) {
  cluster::Cluster c;
  c.set_name(cluster_name(hostname, port));
  c.set_type(cluster::Cluster::EDS);
  auto* eds = c.mutable_eds_cluster_config();
  over_ads(eds->mutable_eds_config());
  eds->set_service_name(cluster_name(hostname, port));
  c.set_lb_policy(cluster::Cluster::ROUND_ROBIN);
  c.mutable_connect_timeout()->set_seconds(10);
  return serialize(c);
}

std::string load_assignment_bytes(std::string_view hostname, uint32_t port,
                                  std::vector<endpoint_row> rows) {
  std::sort(rows.begin(), rows.end());
  endpoint::ClusterLoadAssignment cla;
  cla.set_cluster_name(cluster_name(hostname, port));
  std::set<std::pair<std::string_view, uint32_t>> seen; // gRPC rejects a repeated address:port
  endpoint::LocalityLbEndpoints* group = nullptr;
  const std::array<std::string, 3>* group_locality = nullptr;
  for (const auto& row : rows) {
    if (!seen.emplace(row.ip, row.port).second)
      continue;
    if (!group || row.locality != *group_locality) {
      group = cla.add_endpoints();
      group_locality = &row.locality;
      group->mutable_locality()->set_region(row.locality[0]);
      group->mutable_locality()->set_zone(row.locality[1]);
      group->mutable_locality()->set_sub_zone(row.locality[2]);
    }
    auto* lb = group->add_lb_endpoints();
    lb->set_health_status(core::HEALTHY);
    auto* socket = lb->mutable_endpoint()->mutable_address()->mutable_socket_address();
    socket->set_address(row.ip);
    socket->set_port_value(row.port);
  }
  for (auto& g : *cla.mutable_endpoints()) // gRPC skips a locality without a weight
    g.mutable_load_balancing_weight()->set_value(static_cast<uint32_t>(g.lb_endpoints_size()));
  return serialize(cla);
}

} // namespace ambient::xds
