#pragma once

#include <caf/actor_system_config.hpp>

namespace ambient::messages {

/// Registers the ambient type-ID block with an actor system configuration. Call once per config,
/// before the actor_system is constructed.
void register_types(caf::actor_system_config& cfg);

} // namespace ambient::messages
