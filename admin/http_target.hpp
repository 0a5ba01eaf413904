#pragma once

#include <optional>
#include <string_view>

#include "admin/http_server.hpp"

namespace ambient::admin {

/// The handler's view of a request: the raw target, its percent-decoded path, and its query
/// ('+' is a space; of a repeated key the first value is kept). nullopt when an escape is broken.
std::optional<http_request> parse_target(std::string_view method, std::string_view target);

} // namespace ambient::admin
