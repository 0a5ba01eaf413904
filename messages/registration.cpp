#include "messages/registration.hpp"

#include "messages/type_ids.hpp"

namespace ambient::messages {

void register_types(caf::actor_system_config& cfg) {
  cfg.add_message_types<caf::id_block::ambient>();
}

} // namespace ambient::messages
