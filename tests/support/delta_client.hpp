#pragma once

#include <catch2/catch.hpp>

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "envoy/service/discovery/v3/ads.grpc.pb.h"
#include "istio/security/authorization.pb.h"
#include "istio/workload/workload.pb.h"

namespace ambient::test {

inline constexpr const char* address_type = "type.googleapis.com/istio.workload.Address";
inline constexpr const char* authorization_type
    = "type.googleapis.com/istio.security.Authorization";

/// The names of a delta response's resources, in the order sent.
inline std::vector<std::string>
resource_names(const envoy::service::discovery::v3::DeltaDiscoveryResponse& r) {
  std::vector<std::string> out;
  for (const auto& res : r.resources())
    out.push_back(res.name());
  return out;
}

/// One delta ADS stream for Address (or, with `type_url` set to authorization_type before the
/// first send, for Authorization), keeping what the client holds (name → version, resource) the
/// way ztunnel's cache does.
struct delta_client {
  std::shared_ptr<grpc::Channel> channel;
  std::unique_ptr<envoy::service::discovery::v3::AggregatedDiscoveryService::Stub> stub;
  grpc::ClientContext ctx;
  std::unique_ptr<grpc::ClientReaderWriter<envoy::service::discovery::v3::DeltaDiscoveryRequest,
                                           envoy::service::discovery::v3::DeltaDiscoveryResponse>>
      stream;
  std::map<std::string, std::string> versions;
  std::map<std::string, istio::workload::Address> held;
  std::map<std::string, istio::security::Authorization> authorizations;
  std::string type_url = address_type;
  /// The node metadata's NODE_NAME sent with every request (none when empty).
  std::string node_name;

  explicit delta_client(const std::string& target)
    : delta_client(grpc::CreateChannel(target, grpc::InsecureChannelCredentials())) {}

  /// A stream on a channel the caller made (e.g. with TLS credentials).
  explicit delta_client(std::shared_ptr<grpc::Channel> ch)
    : channel(std::move(ch)),
      stub(envoy::service::discovery::v3::AggregatedDiscoveryService::NewStub(channel)) {
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds{60});
    stream = stub->DeltaAggregatedResources(&ctx);
  }

  void send(const std::vector<std::string>& subscribe,
            const std::vector<std::string>& unsubscribe = {}, const std::string& nonce = "",
            const std::string& error = "", const std::map<std::string, std::string>& initial = {}) {
    envoy::service::discovery::v3::DeltaDiscoveryRequest r;
    r.set_type_url(type_url);
    r.mutable_node()->set_id(
        "ztunnel~10.0.0.1~ztunnel-x.istio-system~istio-system.svc.cluster.local");
    if (!node_name.empty())
      (*r.mutable_node()->mutable_metadata()->mutable_fields())["NODE_NAME"].set_string_value(
          node_name);
    for (const auto& s : subscribe)
      r.add_resource_names_subscribe(s);
    for (const auto& s : unsubscribe)
      r.add_resource_names_unsubscribe(s);
    r.set_response_nonce(nonce);
    if (!error.empty()) {
      r.mutable_error_detail()->set_code(3);
      r.mutable_error_detail()->set_message(error);
    }
    for (const auto& [k, v] : initial)
      (*r.mutable_initial_resource_versions())[k] = v;
    REQUIRE(stream->Write(r));
  }

  /// Reads one response and applies it to what the client holds.
  envoy::service::discovery::v3::DeltaDiscoveryResponse read() {
    envoy::service::discovery::v3::DeltaDiscoveryResponse r;
    REQUIRE(stream->Read(&r));
    CHECK(r.type_url() == type_url);
    for (const auto& res : r.resources()) {
      versions[res.name()] = res.version();
      if (type_url == address_type)
        REQUIRE(res.resource().UnpackTo(&held[res.name()]));
      else
        REQUIRE(res.resource().UnpackTo(&authorizations[res.name()]));
    }
    for (const auto& n : r.removed_resources()) {
      versions.erase(n);
      held.erase(n);
      authorizations.erase(n);
    }
    return r;
  }

  /// Reads and ACKs responses until `pred` holds for what the client holds (or fails after 30).
  template <class Pred>
  bool read_until(Pred pred) {
    for (int i = 0; i < 30; ++i) {
      auto r = read();
      send({}, {}, r.nonce());
      if (pred())
        return true;
    }
    return false;
  }

  /// The name of the held workload called `pod`, or "".
  std::string workload_named(const std::string& pod) const {
    for (const auto& [name, a] : held)
      if (a.has_workload() && a.workload().name() == pod)
        return name;
    return {};
  }
};

} // namespace ambient::test
