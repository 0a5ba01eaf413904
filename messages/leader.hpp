#pragma once

#include <cstdint>
#include <string>

#include <caf/allowed_unsafe_message_type.hpp>

#include "kube/transport.hpp"

namespace ambient::messages {

/// A plain API request of an actor ended (transport thread → the actor that made it); `ticket`
/// tells the current request from abandoned ones.
struct api_response {
  uint64_t ticket = 0;
  kube::response_end end;
};

/// This replica started or stopped leading (leader_elector → leader-only work).
struct leadership {
  bool leading = false;
  std::string identity; ///< this replica's identity
};

} // namespace ambient::messages

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ambient::messages::api_response)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ambient::messages::leadership)
