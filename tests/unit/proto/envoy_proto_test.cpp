#include <catch2/catch.hpp>

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <google/protobuf/any.pb.h>
#include <google/protobuf/descriptor.h>
#include <grpcpp/grpcpp.h>

#include "envoy/config/cluster/v3/cluster.pb.h"
#include "envoy/config/core/v3/address.pb.h"
#include "envoy/config/core/v3/base.pb.h"
#include "envoy/config/core/v3/config_source.pb.h"
#include "envoy/config/core/v3/health_check.pb.h"
#include "envoy/config/endpoint/v3/endpoint.pb.h"
#include "envoy/config/endpoint/v3/endpoint_components.pb.h"
#include "envoy/config/listener/v3/api_listener.pb.h"
#include "envoy/config/listener/v3/listener.pb.h"
#include "envoy/config/route/v3/route.pb.h"
#include "envoy/config/route/v3/route_components.pb.h"
#include "envoy/extensions/filters/http/router/v3/router.pb.h"
#include "envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager.pb.h"
#include "envoy/service/discovery/v3/ads.grpc.pb.h"
#include "envoy/service/discovery/v3/discovery.pb.h"
#include "google/rpc/status.pb.h"
#include "istio/workload/workload.pb.h"

namespace {

namespace cluster = envoy::config::cluster::v3;
namespace core = envoy::config::core::v3;
namespace discovery = envoy::service::discovery::v3;
namespace endpoint = envoy::config::endpoint::v3;
namespace hcm = envoy::extensions::filters::network::http_connection_manager::v3;
namespace listener = envoy::config::listener::v3;
namespace route = envoy::config::route::v3;
namespace router = envoy::extensions::filters::http::router::v3;

using google::protobuf::Descriptor;
using google::protobuf::EnumDescriptor;
using google::protobuf::FieldDescriptor;

/// One declared field as upstream has it: number, type ("repeated T", "map<K, V>", a scalar name or
/// a full message/enum name) and the oneof holding it ("" if none).
struct field_row {
  const Descriptor* message;
  const char* field;
  int number;
  const char* type;
  const char* oneof;
};

/// The type of `f` spelled like the `type` column of field_row.
std::string type_of(const FieldDescriptor& f) {
  auto single = [](const FieldDescriptor& g) -> std::string {
    if (g.message_type() != nullptr)
      return g.message_type()->full_name();
    if (g.enum_type() != nullptr)
      return g.enum_type()->full_name();
    return g.type_name();
  };
  if (f.is_map())
    return "map<" + single(*f.message_type()->map_key()) + ", "
           + single(*f.message_type()->map_value()) + ">";
  return (f.is_repeated() ? "repeated " : "") + single(f);
}

/// Every field we declare, with the number, type and oneof of upstream's .proto (see
/// proto/README.md for the upstream files and commits).
std::vector<field_row> declared_fields() {
  return {
      {core::ConfigSource::descriptor(), "ads", 3, "envoy.config.core.v3.AggregatedConfigSource",
       "config_source_specifier"},
      {core::ConfigSource::descriptor(), "resource_api_version", 6,
       "envoy.config.core.v3.ApiVersion", ""},
      {cluster::Cluster::descriptor(), "name", 1, "string", ""},
      {cluster::Cluster::descriptor(), "type", 2, "envoy.config.cluster.v3.Cluster.DiscoveryType",
       "cluster_discovery_type"},
      {cluster::Cluster::descriptor(), "eds_cluster_config", 3,
       "envoy.config.cluster.v3.Cluster.EdsClusterConfig", ""},
      {cluster::Cluster::descriptor(), "connect_timeout", 4, "google.protobuf.Duration", ""},
      {cluster::Cluster::descriptor(), "lb_policy", 6, "envoy.config.cluster.v3.Cluster.LbPolicy",
       ""},
      {cluster::Cluster::EdsClusterConfig::descriptor(), "eds_config", 1,
       "envoy.config.core.v3.ConfigSource", ""},
      {cluster::Cluster::EdsClusterConfig::descriptor(), "service_name", 2, "string", ""},
      {core::SocketAddress::descriptor(), "protocol", 1,
       "envoy.config.core.v3.SocketAddress.Protocol", ""},
      {core::SocketAddress::descriptor(), "address", 2, "string", ""},
      {core::SocketAddress::descriptor(), "port_value", 3, "uint32", "port_specifier"},
      {core::SocketAddress::descriptor(), "named_port", 4, "string", "port_specifier"},
      {core::SocketAddress::descriptor(), "resolver_name", 5, "string", ""},
      {core::SocketAddress::descriptor(), "ipv4_compat", 6, "bool", ""},
      {core::Address::descriptor(), "socket_address", 1, "envoy.config.core.v3.SocketAddress",
       "address"},
      {core::Locality::descriptor(), "region", 1, "string", ""},
      {core::Locality::descriptor(), "zone", 2, "string", ""},
      {core::Locality::descriptor(), "sub_zone", 3, "string", ""},
      {core::Node::descriptor(), "id", 1, "string", ""},
      {core::Node::descriptor(), "cluster", 2, "string", ""},
      {core::Node::descriptor(), "metadata", 3, "google.protobuf.Struct", ""},
      {core::Node::descriptor(), "locality", 4, "envoy.config.core.v3.Locality", ""},
      {core::Node::descriptor(), "user_agent_name", 6, "string", ""},
      {core::Node::descriptor(), "user_agent_version", 7, "string", "user_agent_version_type"},
      {core::Node::descriptor(), "client_features", 10, "repeated string", ""},
      {core::ControlPlane::descriptor(), "identifier", 1, "string", ""},
      {endpoint::Endpoint::descriptor(), "address", 1, "envoy.config.core.v3.Address", ""},
      {endpoint::LbEndpoint::descriptor(), "endpoint", 1, "envoy.config.endpoint.v3.Endpoint",
       "host_identifier"},
      {endpoint::LbEndpoint::descriptor(), "health_status", 2, "envoy.config.core.v3.HealthStatus",
       ""},
      {endpoint::LbEndpoint::descriptor(), "load_balancing_weight", 4,
       "google.protobuf.UInt32Value", ""},
      {endpoint::LocalityLbEndpoints::descriptor(), "locality", 1, "envoy.config.core.v3.Locality",
       ""},
      {endpoint::LocalityLbEndpoints::descriptor(), "lb_endpoints", 2,
       "repeated envoy.config.endpoint.v3.LbEndpoint", ""},
      {endpoint::LocalityLbEndpoints::descriptor(), "load_balancing_weight", 3,
       "google.protobuf.UInt32Value", ""},
      {endpoint::LocalityLbEndpoints::descriptor(), "priority", 5, "uint32", ""},
      {endpoint::ClusterLoadAssignment::descriptor(), "cluster_name", 1, "string", ""},
      {endpoint::ClusterLoadAssignment::descriptor(), "endpoints", 2,
       "repeated envoy.config.endpoint.v3.LocalityLbEndpoints", ""},
      {listener::ApiListener::descriptor(), "api_listener", 1, "google.protobuf.Any", ""},
      {listener::Listener::descriptor(), "name", 1, "string", ""},
      {listener::Listener::descriptor(), "address", 2, "envoy.config.core.v3.Address", ""},
      {listener::Listener::descriptor(), "api_listener", 19, "envoy.config.listener.v3.ApiListener",
       ""},
      {route::VirtualHost::descriptor(), "name", 1, "string", ""},
      {route::VirtualHost::descriptor(), "domains", 2, "repeated string", ""},
      {route::VirtualHost::descriptor(), "routes", 3, "repeated envoy.config.route.v3.Route", ""},
      {route::Route::descriptor(), "match", 1, "envoy.config.route.v3.RouteMatch", ""},
      {route::Route::descriptor(), "route", 2, "envoy.config.route.v3.RouteAction", "action"},
      {route::WeightedCluster::descriptor(), "clusters", 1,
       "repeated envoy.config.route.v3.WeightedCluster.ClusterWeight", ""},
      {route::WeightedCluster::ClusterWeight::descriptor(), "name", 1, "string", ""},
      {route::WeightedCluster::ClusterWeight::descriptor(), "weight", 2,
       "google.protobuf.UInt32Value", ""},
      {route::RouteMatch::descriptor(), "prefix", 1, "string", "path_specifier"},
      {route::RouteMatch::descriptor(), "path", 2, "string", "path_specifier"},
      {route::RouteAction::descriptor(), "cluster", 1, "string", "cluster_specifier"},
      {route::RouteAction::descriptor(), "weighted_clusters", 3,
       "envoy.config.route.v3.WeightedCluster", "cluster_specifier"},
      {route::RouteConfiguration::descriptor(), "name", 1, "string", ""},
      {route::RouteConfiguration::descriptor(), "virtual_hosts", 2,
       "repeated envoy.config.route.v3.VirtualHost", ""},
      {hcm::HttpConnectionManager::descriptor(), "codec_type", 1,
       "envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager."
       "CodecType",
       ""},
      {hcm::HttpConnectionManager::descriptor(), "stat_prefix", 2, "string", ""},
      {hcm::HttpConnectionManager::descriptor(), "rds", 3,
       "envoy.extensions.filters.network.http_connection_manager.v3.Rds", "route_specifier"},
      {hcm::HttpConnectionManager::descriptor(), "route_config", 4,
       "envoy.config.route.v3.RouteConfiguration", "route_specifier"},
      {hcm::HttpConnectionManager::descriptor(), "http_filters", 5,
       "repeated envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter", ""},
      {hcm::Rds::descriptor(), "config_source", 1, "envoy.config.core.v3.ConfigSource", ""},
      {hcm::Rds::descriptor(), "route_config_name", 2, "string", ""},
      {hcm::HttpFilter::descriptor(), "name", 1, "string", ""},
      {hcm::HttpFilter::descriptor(), "typed_config", 4, "google.protobuf.Any", "config_type"},
      {google::rpc::Status::descriptor(), "code", 1, "int32", ""},
      {google::rpc::Status::descriptor(), "message", 2, "string", ""},
      {google::rpc::Status::descriptor(), "details", 3, "repeated google.protobuf.Any", ""},
      {discovery::DiscoveryRequest::descriptor(), "version_info", 1, "string", ""},
      {discovery::DiscoveryRequest::descriptor(), "node", 2, "envoy.config.core.v3.Node", ""},
      {discovery::DiscoveryRequest::descriptor(), "resource_names", 3, "repeated string", ""},
      {discovery::DiscoveryRequest::descriptor(), "type_url", 4, "string", ""},
      {discovery::DiscoveryRequest::descriptor(), "response_nonce", 5, "string", ""},
      {discovery::DiscoveryRequest::descriptor(), "error_detail", 6, "google.rpc.Status", ""},
      {discovery::DiscoveryResponse::descriptor(), "version_info", 1, "string", ""},
      {discovery::DiscoveryResponse::descriptor(), "resources", 2, "repeated google.protobuf.Any",
       ""},
      {discovery::DiscoveryResponse::descriptor(), "canary", 3, "bool", ""},
      {discovery::DiscoveryResponse::descriptor(), "type_url", 4, "string", ""},
      {discovery::DiscoveryResponse::descriptor(), "nonce", 5, "string", ""},
      {discovery::DiscoveryResponse::descriptor(), "control_plane", 6,
       "envoy.config.core.v3.ControlPlane", ""},
      {discovery::DeltaDiscoveryRequest::descriptor(), "node", 1, "envoy.config.core.v3.Node", ""},
      {discovery::DeltaDiscoveryRequest::descriptor(), "type_url", 2, "string", ""},
      {discovery::DeltaDiscoveryRequest::descriptor(), "resource_names_subscribe", 3,
       "repeated string", ""},
      {discovery::DeltaDiscoveryRequest::descriptor(), "resource_names_unsubscribe", 4,
       "repeated string", ""},
      {discovery::DeltaDiscoveryRequest::descriptor(), "initial_resource_versions", 5,
       "map<string, string>", ""},
      {discovery::DeltaDiscoveryRequest::descriptor(), "response_nonce", 6, "string", ""},
      {discovery::DeltaDiscoveryRequest::descriptor(), "error_detail", 7, "google.rpc.Status", ""},
      {discovery::DeltaDiscoveryResponse::descriptor(), "system_version_info", 1, "string", ""},
      {discovery::DeltaDiscoveryResponse::descriptor(), "resources", 2,
       "repeated envoy.service.discovery.v3.Resource", ""},
      {discovery::DeltaDiscoveryResponse::descriptor(), "type_url", 4, "string", ""},
      {discovery::DeltaDiscoveryResponse::descriptor(), "removed_resources", 6, "repeated string",
       ""},
      {discovery::DeltaDiscoveryResponse::descriptor(), "nonce", 5, "string", ""},
      {discovery::DeltaDiscoveryResponse::descriptor(), "control_plane", 7,
       "envoy.config.core.v3.ControlPlane", ""},
      {discovery::Resource::descriptor(), "name", 3, "string", ""},
      {discovery::Resource::descriptor(), "aliases", 4, "repeated string", ""},
      {discovery::Resource::descriptor(), "version", 1, "string", ""},
      {discovery::Resource::descriptor(), "resource", 2, "google.protobuf.Any", ""},
      {discovery::Resource::descriptor(), "ttl", 6, "google.protobuf.Duration", ""},
  };
}

/// `m` packed into an Any.
template <class Message>
google::protobuf::Any pack(const Message& m) {
  google::protobuf::Any any;
  any.PackFrom(m);
  return any;
}

/// `m` serialized and parsed back into a fresh message of the same type.
template <class Message>
Message wire_round_trip(const Message& m) {
  std::string wire;
  REQUIRE(m.SerializeToString(&wire));
  Message out;
  REQUIRE(out.ParseFromString(wire));
  return out;
}

/// A delta ADS service answering each request with one response: the request's type URL and one
/// empty resource per subscribed name.
class echo_ads final : public discovery::AggregatedDiscoveryService::Service {
public:
  grpc::Status DeltaAggregatedResources(
      grpc::ServerContext*,
      grpc::ServerReaderWriter<discovery::DeltaDiscoveryResponse, discovery::DeltaDiscoveryRequest>*
          stream) override {
    discovery::DeltaDiscoveryRequest req;
    int n = 0;
    while (stream->Read(&req)) {
      discovery::DeltaDiscoveryResponse resp;
      resp.set_type_url(req.type_url());
      resp.set_nonce("n" + std::to_string(++n));
      for (const auto& name : req.resource_names_subscribe())
        resp.add_resources()->set_name(name);
      stream->Write(resp);
    }
    return grpc::Status::OK;
  }
};

} // namespace

TEST_CASE("envoy and google.rpc fields keep upstream numbers, types and oneofs", "[proto]") {
  for (const auto& row : declared_fields()) {
    CAPTURE(row.message->full_name(), row.field);
    const auto* f = row.message->FindFieldByName(row.field);
    REQUIRE(f != nullptr);
    CHECK(f->number() == row.number);
    CHECK(type_of(*f) == row.type);
    const auto* oneof = f->real_containing_oneof();
    CHECK((oneof == nullptr ? std::string{} : oneof->name()) == row.oneof);
  }
}

TEST_CASE("the field table lists every field each message declares", "[proto]") {
  std::map<const Descriptor*, int> rows;
  for (const auto& row : declared_fields())
    ++rows[row.message];
  for (const auto& [message, count] : rows) {
    CAPTURE(message->full_name());
    CHECK(message->field_count() == count);
  }
  CHECK(core::AggregatedConfigSource::descriptor()->field_count() == 0);
  CHECK(router::Router::descriptor()->field_count() == 0);
}

TEST_CASE("envoy messages keep upstream full names and type URLs", "[proto]") {
  const std::vector<std::pair<const Descriptor*, const char*>> names = {
      {core::Locality::descriptor(), "envoy.config.core.v3.Locality"},
      {core::Node::descriptor(), "envoy.config.core.v3.Node"},
      {core::ControlPlane::descriptor(), "envoy.config.core.v3.ControlPlane"},
      {core::SocketAddress::descriptor(), "envoy.config.core.v3.SocketAddress"},
      {core::Address::descriptor(), "envoy.config.core.v3.Address"},
      {core::AggregatedConfigSource::descriptor(), "envoy.config.core.v3.AggregatedConfigSource"},
      {core::ConfigSource::descriptor(), "envoy.config.core.v3.ConfigSource"},
      {discovery::DiscoveryRequest::descriptor(), "envoy.service.discovery.v3.DiscoveryRequest"},
      {discovery::DiscoveryResponse::descriptor(), "envoy.service.discovery.v3.DiscoveryResponse"},
      {discovery::DeltaDiscoveryRequest::descriptor(),
       "envoy.service.discovery.v3.DeltaDiscoveryRequest"},
      {discovery::DeltaDiscoveryResponse::descriptor(),
       "envoy.service.discovery.v3.DeltaDiscoveryResponse"},
      {discovery::Resource::descriptor(), "envoy.service.discovery.v3.Resource"},
      {google::rpc::Status::descriptor(), "google.rpc.Status"},
      {listener::Listener::descriptor(), "envoy.config.listener.v3.Listener"},
      {listener::ApiListener::descriptor(), "envoy.config.listener.v3.ApiListener"},
      {hcm::HttpConnectionManager::descriptor(),
       "envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager"},
      {hcm::Rds::descriptor(), "envoy.extensions.filters.network.http_connection_manager.v3.Rds"},
      {hcm::HttpFilter::descriptor(),
       "envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter"},
      {router::Router::descriptor(), "envoy.extensions.filters.http.router.v3.Router"},
      {route::RouteConfiguration::descriptor(), "envoy.config.route.v3.RouteConfiguration"},
      {route::VirtualHost::descriptor(), "envoy.config.route.v3.VirtualHost"},
      {route::Route::descriptor(), "envoy.config.route.v3.Route"},
      {route::RouteMatch::descriptor(), "envoy.config.route.v3.RouteMatch"},
      {route::RouteAction::descriptor(), "envoy.config.route.v3.RouteAction"},
      {route::WeightedCluster::descriptor(), "envoy.config.route.v3.WeightedCluster"},
      {route::WeightedCluster::ClusterWeight::descriptor(),
       "envoy.config.route.v3.WeightedCluster.ClusterWeight"},
      {cluster::Cluster::descriptor(), "envoy.config.cluster.v3.Cluster"},
      {cluster::Cluster::EdsClusterConfig::descriptor(),
       "envoy.config.cluster.v3.Cluster.EdsClusterConfig"},
      {endpoint::ClusterLoadAssignment::descriptor(),
       "envoy.config.endpoint.v3.ClusterLoadAssignment"},
      {endpoint::LocalityLbEndpoints::descriptor(), "envoy.config.endpoint.v3.LocalityLbEndpoints"},
      {endpoint::LbEndpoint::descriptor(), "envoy.config.endpoint.v3.LbEndpoint"},
      {endpoint::Endpoint::descriptor(), "envoy.config.endpoint.v3.Endpoint"},
  };
  for (const auto& [descriptor, name] : names)
    CHECK(descriptor->full_name() == name);
  CHECK(pack(cluster::Cluster{}).type_url()
        == "type.googleapis.com/envoy.config.cluster.v3.Cluster");
  CHECK(pack(route::RouteConfiguration{}).type_url()
        == "type.googleapis.com/envoy.config.route.v3.RouteConfiguration");
}

TEST_CASE("envoy enums keep upstream value numbers", "[proto]") {
  struct value_row {
    const EnumDescriptor* type;
    const char* name;
    int number;
  };
  const std::vector<value_row> values = {
      {core::ApiVersion_descriptor(), "AUTO", 0},
      {core::ApiVersion_descriptor(), "V2", 1},
      {core::ApiVersion_descriptor(), "V3", 2},
      {core::HealthStatus_descriptor(), "UNKNOWN", 0},
      {core::HealthStatus_descriptor(), "HEALTHY", 1},
      {core::HealthStatus_descriptor(), "UNHEALTHY", 2},
      {core::HealthStatus_descriptor(), "DRAINING", 3},
      {core::HealthStatus_descriptor(), "TIMEOUT", 4},
      {core::HealthStatus_descriptor(), "DEGRADED", 5},
      {core::SocketAddress::Protocol_descriptor(), "TCP", 0},
      {core::SocketAddress::Protocol_descriptor(), "UDP", 1},
      {hcm::HttpConnectionManager::CodecType_descriptor(), "AUTO", 0},
      {hcm::HttpConnectionManager::CodecType_descriptor(), "HTTP1", 1},
      {hcm::HttpConnectionManager::CodecType_descriptor(), "HTTP2", 2},
      {hcm::HttpConnectionManager::CodecType_descriptor(), "HTTP3", 3},
      {cluster::Cluster::DiscoveryType_descriptor(), "STATIC", 0},
      {cluster::Cluster::DiscoveryType_descriptor(), "STRICT_DNS", 1},
      {cluster::Cluster::DiscoveryType_descriptor(), "LOGICAL_DNS", 2},
      {cluster::Cluster::DiscoveryType_descriptor(), "EDS", 3},
      {cluster::Cluster::DiscoveryType_descriptor(), "ORIGINAL_DST", 4},
      {cluster::Cluster::LbPolicy_descriptor(), "ROUND_ROBIN", 0},
      {cluster::Cluster::LbPolicy_descriptor(), "LEAST_REQUEST", 1},
      {cluster::Cluster::LbPolicy_descriptor(), "RING_HASH", 2},
      {cluster::Cluster::LbPolicy_descriptor(), "RANDOM", 3},
      {cluster::Cluster::LbPolicy_descriptor(), "MAGLEV", 5},
      {cluster::Cluster::LbPolicy_descriptor(), "CLUSTER_PROVIDED", 6},
      {cluster::Cluster::LbPolicy_descriptor(), "LOAD_BALANCING_POLICY_CONFIG", 7},
  };
  std::map<const EnumDescriptor*, int> per_enum;
  for (const auto& row : values) {
    CAPTURE(row.type->full_name(), row.name);
    const auto* v = row.type->FindValueByName(row.name);
    REQUIRE(v != nullptr);
    CHECK(v->number() == row.number);
    ++per_enum[row.type];
  }
  for (const auto& [type, count] : per_enum)
    CHECK(type->value_count() == count);
}

TEST_CASE("a DeltaDiscoveryRequest encodes to the bytes of upstream's field numbers", "[proto]") {
  discovery::DeltaDiscoveryRequest req;
  req.set_type_url("t");                   // field 2, length-delimited: tag 0x12
  req.set_response_nonce("n");             // field 6: tag 0x32
  req.mutable_error_detail()->set_code(3); // field 7: tag 0x3a, google.rpc.Status.code = 1
  std::string wire;
  REQUIRE(req.SerializeToString(&wire));
  CHECK(wire == std::string{"\x12\x01t\x32\x01n\x3a\x02\x08\x03", 10});
}

TEST_CASE("a DeltaDiscoveryResponse carries an Any-packed istio.workload.Address", "[proto]") {
  istio::workload::Address address;
  auto* w = address.mutable_workload();
  w->set_uid("cluster-1//Pod/default/echo-0");
  w->set_name("echo-0");
  w->add_addresses(std::string{"\x0a\x00\x00\x07", 4});

  discovery::DeltaDiscoveryResponse resp;
  resp.set_system_version_info("v1");
  resp.set_type_url("type.googleapis.com/istio.workload.Address");
  resp.set_nonce("nonce-1");
  resp.add_removed_resources("cluster-1//Pod/default/echo-1");
  auto* r = resp.add_resources();
  r->set_name("cluster-1//Pod/default/echo-0");
  r->add_aliases("network-1/10.0.0.7");
  r->set_version("7");
  r->mutable_resource()->PackFrom(address);
  r->mutable_ttl()->set_seconds(30);
  CHECK(r->resource().type_url() == "type.googleapis.com/istio.workload.Address");

  auto out = wire_round_trip(resp);
  CHECK(out.system_version_info() == "v1");
  CHECK(out.type_url() == "type.googleapis.com/istio.workload.Address");
  CHECK(out.nonce() == "nonce-1");
  REQUIRE(out.removed_resources_size() == 1);
  CHECK(out.removed_resources(0) == "cluster-1//Pod/default/echo-1");
  REQUIRE(out.resources_size() == 1);
  const auto& res = out.resources(0);
  CHECK(res.name() == "cluster-1//Pod/default/echo-0");
  CHECK(res.aliases(0) == "network-1/10.0.0.7");
  CHECK(res.version() == "7");
  CHECK(res.ttl().seconds() == 30);
  CHECK(res.resource().type_url() == "type.googleapis.com/istio.workload.Address");
  istio::workload::Address unpacked;
  REQUIRE(res.resource().UnpackTo(&unpacked));
  REQUIRE(unpacked.has_workload());
  CHECK(unpacked.workload().uid() == "cluster-1//Pod/default/echo-0");
  CHECK(unpacked.workload().addresses(0).size() == 4);
}

TEST_CASE("a proxyless gRPC Listener with an RDS HttpConnectionManager round-trips", "[proto]") {
  hcm::HttpConnectionManager manager;
  manager.set_codec_type(hcm::HttpConnectionManager::AUTO);
  manager.set_stat_prefix("outbound_echo");
  auto* rds = manager.mutable_rds();
  rds->mutable_config_source()->mutable_ads();
  rds->mutable_config_source()->set_resource_api_version(core::V3);
  rds->set_route_config_name("echo.default.svc.cluster.local:8080");
  auto* filter = manager.add_http_filters();
  filter->set_name("envoy.filters.http.router");
  filter->mutable_typed_config()->PackFrom(router::Router{});

  listener::Listener in;
  in.set_name("echo.default.svc.cluster.local:8080");
  auto* socket = in.mutable_address()->mutable_socket_address();
  socket->set_address("10.0.0.7");
  socket->set_port_value(8080);
  in.mutable_api_listener()->mutable_api_listener()->PackFrom(manager);
  CHECK(in.api_listener().api_listener().type_url()
        == "type.googleapis.com/"
           "envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager");

  discovery::DiscoveryResponse resp;
  resp.set_type_url("type.googleapis.com/envoy.config.listener.v3.Listener");
  resp.add_resources()->PackFrom(in);
  CHECK(resp.resources(0).type_url() == "type.googleapis.com/envoy.config.listener.v3.Listener");

  auto out_resp = wire_round_trip(resp);
  listener::Listener out;
  REQUIRE(out_resp.resources(0).UnpackTo(&out));
  CHECK(out.name() == "echo.default.svc.cluster.local:8080");
  CHECK(out.address().socket_address().address() == "10.0.0.7");
  CHECK(out.address().socket_address().port_value() == 8080);
  hcm::HttpConnectionManager out_manager;
  REQUIRE(out.api_listener().api_listener().UnpackTo(&out_manager));
  CHECK(out_manager.stat_prefix() == "outbound_echo");
  REQUIRE(out_manager.route_specifier_case() == hcm::HttpConnectionManager::kRds);
  CHECK(out_manager.rds().config_source().has_ads());
  CHECK(out_manager.rds().config_source().resource_api_version() == core::V3);
  CHECK(out_manager.rds().route_config_name() == "echo.default.svc.cluster.local:8080");
  REQUIRE(out_manager.http_filters_size() == 1);
  CHECK(out_manager.http_filters(0).name() == "envoy.filters.http.router");
  CHECK(out_manager.http_filters(0).typed_config().type_url()
        == "type.googleapis.com/envoy.extensions.filters.http.router.v3.Router");
}

TEST_CASE("an inline RouteConfiguration with weighted clusters round-trips", "[proto]") {
  hcm::HttpConnectionManager manager;
  auto* config = manager.mutable_route_config();
  config->set_name("echo.default.svc.cluster.local:8080");
  auto* host = config->add_virtual_hosts();
  host->set_name("echo.default.svc.cluster.local:8080");
  host->add_domains("echo.default.svc.cluster.local");
  host->add_domains("echo");
  auto* r = host->add_routes();
  r->mutable_match()->set_prefix("/");
  auto* weighted = r->mutable_route()->mutable_weighted_clusters();
  auto* v1 = weighted->add_clusters();
  v1->set_name("outbound|8080|v1|echo.default.svc.cluster.local");
  v1->mutable_weight()->set_value(90);
  auto* v2 = weighted->add_clusters();
  v2->set_name("outbound|8080|v2|echo.default.svc.cluster.local");
  v2->mutable_weight()->set_value(10);

  auto out = wire_round_trip(manager);
  REQUIRE(out.route_specifier_case() == hcm::HttpConnectionManager::kRouteConfig);
  const auto& out_route = out.route_config().virtual_hosts(0).routes(0);
  CHECK(out_route.match().path_specifier_case() == route::RouteMatch::kPrefix);
  CHECK(out_route.match().prefix() == "/");
  REQUIRE(out_route.route().cluster_specifier_case() == route::RouteAction::kWeightedClusters);
  const auto& clusters = out_route.route().weighted_clusters().clusters();
  REQUIRE(clusters.size() == 2);
  CHECK(clusters[0].weight().value() == 90);
  CHECK(clusters[1].name() == "outbound|8080|v2|echo.default.svc.cluster.local");
}

TEST_CASE("an EDS Cluster and its ClusterLoadAssignment round-trip", "[proto]") {
  cluster::Cluster c;
  c.set_name("outbound|8080||echo.default.svc.cluster.local");
  c.set_type(cluster::Cluster::EDS);
  c.mutable_eds_cluster_config()->mutable_eds_config()->mutable_ads();
  c.mutable_eds_cluster_config()->set_service_name(c.name());
  c.set_lb_policy(cluster::Cluster::ROUND_ROBIN);
  c.mutable_connect_timeout()->set_seconds(10);
  auto out_cluster = wire_round_trip(c);
  CHECK(out_cluster.cluster_discovery_type_case() == cluster::Cluster::kType);
  CHECK(out_cluster.type() == cluster::Cluster::EDS);
  CHECK(out_cluster.eds_cluster_config().eds_config().has_ads());
  CHECK(out_cluster.connect_timeout().seconds() == 10);

  endpoint::ClusterLoadAssignment in;
  in.set_cluster_name("outbound|8080||echo.default.svc.cluster.local");
  auto* group = in.add_endpoints();
  group->mutable_locality()->set_region("eu-west1");
  group->mutable_locality()->set_zone("eu-west1-b");
  group->mutable_locality()->set_sub_zone("rack-3");
  group->mutable_load_balancing_weight()->set_value(2);
  group->set_priority(1);
  auto* lb = group->add_lb_endpoints();
  auto* socket = lb->mutable_endpoint()->mutable_address()->mutable_socket_address();
  socket->set_address("10.0.0.7");
  socket->set_port_value(8080);
  lb->set_health_status(core::HEALTHY);
  lb->mutable_load_balancing_weight()->set_value(1);
  auto any = pack(in);
  CHECK(any.type_url() == "type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment");

  endpoint::ClusterLoadAssignment out;
  REQUIRE(wire_round_trip(any).UnpackTo(&out));
  CHECK(out.cluster_name() == "outbound|8080||echo.default.svc.cluster.local");
  REQUIRE(out.endpoints_size() == 1);
  const auto& out_group = out.endpoints(0);
  CHECK(out_group.locality().sub_zone() == "rack-3");
  CHECK(out_group.load_balancing_weight().value() == 2);
  CHECK(out_group.priority() == 1);
  REQUIRE(out_group.lb_endpoints_size() == 1);
  const auto& out_lb = out_group.lb_endpoints(0);
  REQUIRE(out_lb.host_identifier_case() == endpoint::LbEndpoint::kEndpoint);
  CHECK(out_lb.endpoint().address().socket_address().address() == "10.0.0.7");
  CHECK(out_lb.endpoint().address().socket_address().port_value() == 8080);
  CHECK(out_lb.health_status() == core::HEALTHY);
  CHECK(out_lb.load_balancing_weight().value() == 1);
}

TEST_CASE("the generated ADS stubs run a delta stream over an in-process channel", "[proto]") {
  CHECK(std::string{discovery::AggregatedDiscoveryService::service_full_name()}
        == "envoy.service.discovery.v3.AggregatedDiscoveryService");

  echo_ads impl;
  grpc::ServerBuilder builder;
  builder.RegisterService(&impl);
  auto server = builder.BuildAndStart();
  REQUIRE(server != nullptr);
  auto stub = discovery::AggregatedDiscoveryService::NewStub(
      server->InProcessChannel(grpc::ChannelArguments{}));
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  auto stream = stub->DeltaAggregatedResources(&ctx);

  discovery::DeltaDiscoveryRequest req;
  req.mutable_node()->set_id(
      "ztunnel~10.0.0.1~ztunnel-abc.istio-system~istio-system.svc.cluster.local");
  req.set_type_url("type.googleapis.com/istio.workload.Address");
  req.add_resource_names_subscribe("*");
  REQUIRE(stream->Write(req));
  discovery::DeltaDiscoveryResponse resp;
  REQUIRE(stream->Read(&resp));
  CHECK(resp.type_url() == "type.googleapis.com/istio.workload.Address");
  CHECK(resp.nonce() == "n1");
  REQUIRE(resp.resources_size() == 1);
  CHECK(resp.resources(0).name() == "*");
  REQUIRE(stream->WritesDone());
  CHECK(stream->Finish().ok());

  // echo_ads leaves state of the world to the generated default, which refuses the call.
  grpc::ClientContext sotw_ctx;
  sotw_ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  auto sotw = stub->StreamAggregatedResources(&sotw_ctx);
  discovery::DiscoveryResponse sotw_resp;
  CHECK_FALSE(sotw->Read(&sotw_resp));
  CHECK(sotw->Finish().error_code() == grpc::StatusCode::UNIMPLEMENTED);
  server->Shutdown();
}
