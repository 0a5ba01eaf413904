#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace ambient::admin {

/// Parses "host:port", "[v6]:port" or ":port"; nullopt when it does not parse (the port must be
/// 0..65535 in decimal, an IPv6 host needs brackets).
std::optional<std::pair<std::string, uint16_t>> parse_listen_address(std::string_view address);

} // namespace ambient::admin
