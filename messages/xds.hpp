#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <caf/allowed_unsafe_message_type.hpp>

#include "xds/stream_events.hpp"

// Events of xDS streams, from gRPC threads to the xds_publisher (local only).
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ambient::xds::stream_opened)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ambient::xds::stream_request)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ambient::xds::stream_written)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ambient::xds::stream_closed)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ambient::xds::sotw_stream_request)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ambient::xds::stream_refused)

namespace ambient::messages {

/// One type URL of one stream, as /debug/xds shows it.
struct xds_type_row {
  std::string type_url;
  bool wildcard = false;
  std::size_t subscribed = 0; ///< names subscribed explicitly
  std::size_t sent = 0;       ///< resources the client has, as far as the session knows
  uint64_t responses = 0, acks = 0, nacks = 0;
  std::string last_sent_nonce, last_acked_nonce, last_nacked_nonce;
  std::string acked_version; ///< SotW: version_info of the last ACK
  std::string last_error;    ///< of the last NACK
};

/// One ADS stream in /debug/xds.
struct xds_stream_row {
  uint64_t id = 0;
  std::string peer;
  std::string protocol; ///< "delta" or "sotw"
  bool in_flight = false;
  std::vector<xds_type_row> types;
};

/// The publisher's answer to `atom::debug`: its tables and every stream.
struct xds_status {
  struct table {
    std::string type_url;
    std::string version;
    std::size_t resources = 0;
  };
  std::vector<table> tables;
  std::vector<xds_stream_row> streams;
};

} // namespace ambient::messages

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ambient::messages::xds_status)
