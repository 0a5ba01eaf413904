#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>

namespace ambient::sim {

/// The continue token of a LIST page: the list's resource version and the last key returned,
/// base64-encoded, so the next page resumes after that key at the same version.
std::string make_continue(uint64_t rv, const std::string& key);

/// Reads a continue token back into its version and key; nullopt when it is not one of ours.
std::optional<std::pair<uint64_t, std::string>> parse_continue(const std::string& token);

} // namespace ambient::sim
