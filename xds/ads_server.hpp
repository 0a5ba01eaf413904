#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <variant>

#include <google/protobuf/message.h>
#include <grpcpp/grpcpp.h>

#include "envoy/service/discovery/v3/ads.grpc.pb.h"
#include "xds/caller_authenticator.hpp"
#include "xds/stream_events.hpp"

namespace ambient::xds {

using delta_response_proto = envoy::service::discovery::v3::DeltaDiscoveryResponse;
using delta_request_proto = envoy::service::discovery::v3::DeltaDiscoveryRequest;
using sotw_response_proto = envoy::service::discovery::v3::DiscoveryResponse;
using sotw_request_proto = envoy::service::discovery::v3::DiscoveryRequest;

/// The gRPC callback-API ADS service: DeltaAggregatedResources and StreamAggregatedResources
/// streams, each turned into events for the owner, which answers through the stream's port. Stream
/// IDs are unique in the process, so several services (one per listener) may share one sink. With
/// an authenticator, a stream reads nothing until its caller is authenticated (the review of a
/// token may take a while; no gRPC thread waits for it) and its first request's node must match
/// the caller's identity; refused streams end UNAUTHENTICATED or PERMISSION_DENIED.
class ads_service final
  : public envoy::service::discovery::v3::AggregatedDiscoveryService::CallbackService {
public:
  /// Without an authenticator every caller is admitted (the plaintext listener, as istiod's 15010).
  explicit ads_service(stream_event_sink sink,
                       std::optional<caller_authenticator> authenticator = std::nullopt);

  grpc::ServerBidiReactor<delta_request_proto, delta_response_proto>*
  DeltaAggregatedResources(grpc::CallbackServerContext* context) override;

  grpc::ServerBidiReactor<sotw_request_proto, sotw_response_proto>*
  StreamAggregatedResources(grpc::CallbackServerContext* context) override;

private:
  stream_event_sink sink_;
  std::optional<caller_authenticator> authenticator_;
};

/// The session's view of a request proto (for delta, with the node metadata's NODE_NAME).
delta_request to_delta_request(const delta_request_proto& r);
sotw_request to_sotw_request(const sotw_request_proto& r);

/// The proto of a session's response: each resource packed in an Any of `type_url` (for delta,
/// with its aliases when the response says so).
delta_response_proto to_proto(const delta_response& r, std::string_view type_url);
sotw_response_proto to_proto(const sotw_response& r, std::string_view type_url);

} // namespace ambient::xds
