#pragma once

#include <string>
#include <string_view>

namespace ambient::base {

/// `bytes` as lower-case hexadecimal, two digits a byte (digests, random names, a byte in an
/// error message). The one hex encoder of the project.
std::string hex_encode(std::string_view bytes);

} // namespace ambient::base
