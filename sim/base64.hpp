#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace ambient::sim {

/// Standard base64 (with padding) of bytes.
std::string base64_encode(std::string_view bytes);

/// Decodes standard base64 (padding optional, whitespace ignored); nullopt on invalid input.
std::optional<std::string> base64_decode(std::string_view text);

} // namespace ambient::sim
