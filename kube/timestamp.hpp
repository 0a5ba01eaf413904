#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace ambient::kube {

/// Parses an RFC 3339 timestamp as the API server writes them ("2024-05-02T09:14:07Z"; also
/// fractional seconds and "+hh:mm" offsets) into whole seconds since the epoch, fractions
/// truncated; nullopt for anything else, including dates that do not exist.
std::optional<int64_t> parse_rfc3339_seconds(std::string_view text);

} // namespace ambient::kube
