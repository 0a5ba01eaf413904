#pragma once

#include <caf/allowed_unsafe_message_type.hpp>

#include "xds/ads_server.hpp"

// Events of xDS streams, from gRPC threads to the xds_publisher (local only).
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ambient::xds::stream_opened)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ambient::xds::stream_request)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ambient::xds::stream_written)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ambient::xds::stream_closed)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ambient::xds::sotw_stream_request)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ambient::xds::stream_refused)
