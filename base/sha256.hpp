#pragma once

#include <string>
#include <string_view>

namespace ambient::base {

/// Lower-case hex SHA-256 of `data` (OpenSSL EVP): content hashes of kubeconfigs, cache keys of
/// secrets such as bearer tokens that must not be kept themselves. The one SHA-256 helper of the
/// project.
std::string sha256_hex(std::string_view data);

} // namespace ambient::base
