#pragma once

#include <optional>
#include <string>
#include <string_view>

/// Base64 as Kubernetes data fields, kubeconfigs and JWTs carry it: one copy for every layer.
namespace ambient::base {

/// Decodes standard-alphabet base64 (RFC 4648 section 4) as Kubernetes data fields and kubeconfigs
/// carry it: padding optional, whitespace ignored; nullopt for any other character, data after
/// padding, or a dangling digit.
std::optional<std::string> decode_base64(std::string_view in);

/// Decodes URL-safe base64 (RFC 4648 section 5: `-` and `_` for `+` and `/`) as JWT segments carry
/// it: padding optional unless `allow_padding` is false (a JWT's segments have none), no
/// whitespace; nullopt for any other character, data after padding, or a dangling digit.
std::optional<std::string> decode_base64url(std::string_view in, bool allow_padding = true);

/// Encodes standard-alphabet base64 with padding, as Kubernetes data fields carry it.
std::string encode_base64(std::string_view in);

/// Encodes URL-safe base64 without padding, as JWT segments carry it.
std::string encode_base64url(std::string_view in);

} // namespace ambient::base
