#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "sim/admin_api.hpp"

namespace ambient::sim {

/// The integer query parameter `key` of an admin request: `fallback` when absent, nullopt when
/// it is not a whole decimal number.
std::optional<int64_t> query_int(const std::map<std::string, std::string>& q, const char* key,
                                 int64_t fallback);

/// An admin API reply {"message": ...} with `status`.
admin_api::response admin_message(int status, std::string message);

} // namespace ambient::sim
