#pragma once

#include <cstdint>
#include <string>

#include <caf/allowed_unsafe_message_type.hpp>

#include "kube/transport.hpp"

/// From the transport's thread to the actor whose Kubernetes API request it carried.
namespace ambient::messages {

/// An API request of an actor ended (transport thread → the actor that made it); `ticket` tells
/// the open request from abandoned ones (actors::request_slot).
struct api_response {
  uint64_t ticket = 0;
  kube::response_end end;
};

/// A chunk of a streaming API request (a WATCH), from the transport thread to the actor that
/// made it; `ticket` tells the open request from abandoned ones (actors::request_slot).
struct watch_data {
  uint64_t ticket;
  std::string bytes;
};

} // namespace ambient::messages

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ambient::messages::api_response)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ambient::messages::watch_data)
