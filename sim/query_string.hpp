#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace ambient::sim {

/// Splits "a=b&c=d" into a map, percent-decoding names and values ('+' is a space); nullopt when
/// an escape is malformed (the request is then a 400, never silently shortened).
std::optional<std::map<std::string, std::string>> parse_query(std::string_view query);

/// Percent-decodes URL text; nullopt on a malformed escape.
std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space);

} // namespace ambient::sim
