#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <variant>

#include <google/protobuf/message.h>

#include "xds/delta_session.hpp"
#include "xds/sotw_session.hpp"

/// What an ADS stream tells its owner, and the port the owner answers through: the xDS stream
/// events, without gRPC (xds/ads_server.hpp is the gRPC side that produces them).
namespace ambient::xds {

/// Which ADS method a stream came in on.
enum class stream_protocol { delta, sotw };

/// What a stream's port writes through (the gRPC reactor of either protocol).
class stream_writer {
public:
  virtual ~stream_writer() = default;
  /// Starts writing `r`, which must be the response type of the stream's protocol.
  virtual void write(std::shared_ptr<const google::protobuf::Message> r) = 0;
};

/// The write side of one ADS stream as its owner (the publisher) sees it. Thread-safe. The owner
/// keeps at most one response in flight: it sends the next one after `stream_written`.
class stream_port {
public:
  /// Starts writing `r` (a DeltaDiscoveryResponse on a delta stream, a DiscoveryResponse on a
  /// state-of-the-world one); false when the stream is already gone.
  bool send(std::shared_ptr<const google::protobuf::Message> r);

  /// Called by the stream: attaches it, or (null) detaches it once gRPC is done with it.
  void attach(stream_writer* w);

private:
  std::mutex mutex_;
  stream_writer* stream_ = nullptr;
};

/// A stream was opened (`peer` is gRPC's peer string).
struct stream_opened {
  uint64_t id;
  std::shared_ptr<stream_port> port;
  std::string peer;
  stream_protocol protocol = stream_protocol::delta;
};
/// The client sent a DeltaDiscoveryRequest.
struct stream_request {
  uint64_t id;
  delta_request request;
};
/// The client sent a (state-of-the-world) DiscoveryRequest.
struct sotw_stream_request {
  uint64_t id;
  sotw_request request;
};
/// The response handed to stream_port::send was written; the stream can take the next.
struct stream_written {
  uint64_t id;
};
/// The stream ended (client gone, cancelled, or server shutdown).
struct stream_closed {
  uint64_t id;
};
/// A stream was refused before it started (e.g. its client certificate's SPIFFE ID is not
/// allowed); the client got PERMISSION_DENIED with `reason`.
struct stream_refused {
  std::string peer;
  std::string reason;
};
using stream_event = std::variant<stream_opened, stream_request, sotw_stream_request,
                                  stream_written, stream_closed, stream_refused>;

/// Where stream events go. Called on gRPC threads: it must hand the event on and return at once
/// (the actor shell sends a message), so gRPC threads never block on actors.
using stream_event_sink = std::function<void(stream_event)>;

} // namespace ambient::xds
