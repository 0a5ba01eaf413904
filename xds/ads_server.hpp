#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <variant>

#include <grpcpp/grpcpp.h>

#include "envoy/service/discovery/v3/ads.grpc.pb.h"
#include "xds/delta_session.hpp"

namespace ambient::xds {

using delta_response_proto = envoy::service::discovery::v3::DeltaDiscoveryResponse;
using delta_request_proto = envoy::service::discovery::v3::DeltaDiscoveryRequest;

class delta_stream;

/// The write side of one delta ADS stream as its owner (the publisher) sees it. Thread-safe. The
/// owner keeps at most one response in flight: it sends the next one after `stream_written`.
class stream_port {
public:
  /// Starts writing `r`; false when the stream is already gone.
  bool send(std::shared_ptr<const delta_response_proto> r);

private:
  friend class delta_stream;
  std::mutex mutex_;
  delta_stream* stream_ = nullptr; ///< null once gRPC is done with the stream
};

/// A stream was opened (`peer` is gRPC's peer string).
struct stream_opened {
  uint64_t id;
  std::shared_ptr<stream_port> port;
  std::string peer;
};
/// The client sent a request.
struct stream_request {
  uint64_t id;
  delta_request request;
};
/// The response handed to stream_port::send was written; the stream can take the next.
struct stream_written {
  uint64_t id;
};
/// The stream ended (client gone, cancelled, or server shutdown).
struct stream_closed {
  uint64_t id;
};
using stream_event = std::variant<stream_opened, stream_request, stream_written, stream_closed>;

/// Where stream events go. Called on gRPC threads: it must hand the event on and return at once
/// (the actor shell sends a message), so gRPC threads never block on actors.
using stream_event_sink = std::function<void(stream_event)>;

/// The gRPC callback-API ADS service: DeltaAggregatedResources streams, each turned into events
/// for the owner, which answers through the stream's port. StreamAggregatedResources (state of
/// the world) is not served yet and answers UNIMPLEMENTED.
class ads_service final
  : public envoy::service::discovery::v3::AggregatedDiscoveryService::CallbackService {
public:
  explicit ads_service(stream_event_sink sink);

  grpc::ServerBidiReactor<delta_request_proto, delta_response_proto>*
  DeltaAggregatedResources(grpc::CallbackServerContext* context) override;

private:
  stream_event_sink sink_;
  std::atomic<uint64_t> next_id_{1};
};

/// The session's view of a request proto.
delta_request to_delta_request(const delta_request_proto& r);

/// The proto of a session's response: each resource packed in an Any of `type_url`.
delta_response_proto to_proto(const delta_response& r, std::string_view type_url);

} // namespace ambient::xds
