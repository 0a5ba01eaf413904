#pragma once

#include <string>

#include "sim/json.hpp"

namespace ambient::sim {

/// A Secret's write-only stringData folded into data, base64-encoded (a stringData key wins over
/// the same data key), as the API server stores it: stringData is never stored or returned.
/// Returns why it cannot be (the field path), or "" when folded (or absent).
std::string fold_string_data(json& secret);

} // namespace ambient::sim
