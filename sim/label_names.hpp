#pragma once

#include <string>
#include <string_view>

namespace ambient::sim {

/// Checks a label value or the name part of a label key, as apimachinery validates them; returns
/// what is wrong ("must be no more than 63 characters"), empty when valid.
std::string check_label_name(std::string_view s);

/// Checks a label key ("name" or "prefix/name", the prefix a lowercase DNS subdomain); returns
/// what is wrong, empty when valid.
std::string check_label_key(std::string_view key);

} // namespace ambient::sim
