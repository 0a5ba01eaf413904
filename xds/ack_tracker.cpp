#include "xds/ack_tracker.hpp"

namespace ambient::xds {

std::string_view to_string(request_kind k) {
  switch (k) {
    case request_kind::initial:
      return "initial";
    case request_kind::ack:
      return "ack";
    case request_kind::nack:
      return "nack";
    case request_kind::stale:
      return "stale";
    case request_kind::spontaneous:
      return "spontaneous";
    case request_kind::wrong_type:
      return "wrong_type";
  }
  return "unknown";
}

request_kind ack_tracker::on_request(std::string_view response_nonce, bool has_error,
                                     std::string_view error_message) {
  if (has_error) {
    ++stats_.nacks;
    stats_.last_error = error_message;
  }
  if (response_nonce.empty() || counter_ == 0) // nothing sent yet: a nonce of an earlier stream
    return has_error ? request_kind::nack : request_kind::spontaneous;
  if (response_nonce != stats_.last_sent_nonce) {
    ++stats_.stale_nonces;
    return request_kind::stale;
  }
  if (has_error) {
    stats_.last_nacked_nonce = response_nonce;
    return request_kind::nack;
  }
  ++stats_.acks;
  stats_.last_acked_nonce = response_nonce;
  return request_kind::ack;
}

std::string ack_tracker::next_nonce() {
  ++stats_.responses;
  stats_.last_sent_nonce = std::to_string(++counter_);
  return stats_.last_sent_nonce;
}

} // namespace ambient::xds
