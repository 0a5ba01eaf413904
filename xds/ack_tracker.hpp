#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace ambient::xds {

/// What a request on an xDS stream was, for the session's decisions, logs and metrics.
enum class request_kind {
  initial,     ///< the first request of the type on this stream
  ack,         ///< echoes the last response's nonce, no error: the client took it
  nack,        ///< echoes the last response's nonce with an error: the client rejected it
  stale,       ///< echoes an older nonce: not an answer to the latest response
  spontaneous, ///< no nonce (delta: a subscription change between responses)
  wrong_type,  ///< names another type URL than the session's; ignored
};

/// The name of a request kind, for logs.
std::string_view to_string(request_kind k);

/// How a request changed the session.
struct request_outcome {
  request_kind kind = request_kind::initial;
  /// The client's subscription (wildcard or names) changed.
  bool subscription_changed = false;
  /// The request carried an error_detail (a rejection, counted even when its nonce is stale).
  bool rejected = false;
};

/// ACK/NACK bookkeeping of one stream and type: the counters and last error an operator sees.
struct session_stats {
  uint64_t responses = 0;
  uint64_t acks = 0;
  uint64_t nacks = 0;
  uint64_t stale_nonces = 0;
  std::string last_sent_nonce;   ///< "" before the first response
  std::string last_acked_nonce;  ///< "" until the client ACKs something
  std::string last_nacked_nonce; ///< "" until the client NACKs the latest response
  std::string last_error;        ///< message of the last error_detail received
};

/// Issues a stream's nonces (increasing decimal strings: "1", "2", ...) and classifies requests by
/// the nonce they echo (envoy xds_protocol.rst, "ACK/NACK and resource type instance version"):
/// the latest nonce without error is an ACK, with error a NACK; any other non-empty nonce is
/// stale. An error_detail is counted and kept as last_error whatever the nonce (istiod also
/// records rejections before looking at the nonce), but only a NACK of the latest response sets
/// last_nacked_nonce.
class ack_tracker {
public:
  /// Classifies a request; never returns initial or wrong_type (the session decides those).
  request_kind on_request(std::string_view response_nonce, bool has_error,
                          std::string_view error_message);

  /// Counts a request a session ignores as stale although on_request() did not (SotW: a request
  /// without nonce once a response was sent).
  void note_stale() {
    ++stats_.stale_nonces;
  }

  /// The nonce of the next response, which becomes the latest.
  std::string next_nonce();

  /// Whether a response was sent on this stream.
  bool has_sent() const {
    return counter_ > 0;
  }

  const session_stats& stats() const {
    return stats_;
  }

private:
  uint64_t counter_ = 0;
  session_stats stats_;
};

} // namespace ambient::xds
