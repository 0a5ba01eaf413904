#pragma once

#include <cstdint>
#include <string>

#include <caf/allowed_unsafe_message_type.hpp>

namespace ambient::messages {

/// This replica started or stopped leading (leader_elector → leader-only work).
struct leadership {
  bool leading = false;
  std::string identity; ///< this replica's identity
};

} // namespace ambient::messages

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ambient::messages::leadership)
