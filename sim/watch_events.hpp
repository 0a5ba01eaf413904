#pragma once

#include <cstdint>
#include <string>

#include "sim/store.hpp"

namespace ambient::sim {

/// Serializes one watch event line (without the trailing newline).
std::string watch_event_json(const watch_event& e);

/// The BOOKMARK event of a watch at resource version `rv`.
std::string bookmark_event_json(const resource_type& rt, uint64_t rv);

/// The ERROR event that ends a watch (410 Expired and the like).
std::string error_event_json(const api_error& e);

} // namespace ambient::sim
