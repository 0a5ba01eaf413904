#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace ambient::sim {

/// Standard base64 (with padding) of bytes.
std::string base64_encode(std::string_view bytes);

/// Decodes standard base64 (padding optional, whitespace ignored); nullopt on invalid input.
std::optional<std::string> base64_decode(std::string_view text);

/// Base64url (RFC 4648 section 5) of bytes, without padding: the encoding of JWT segments.
std::string base64url_encode(std::string_view bytes);

/// Decodes unpadded base64url; nullopt on invalid input (padding, whitespace or a '+' or '/'
/// included).
std::optional<std::string> base64url_decode(std::string_view text);

} // namespace ambient::sim
