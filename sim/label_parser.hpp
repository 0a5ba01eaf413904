#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sim/label_selector.hpp"

namespace ambient::sim {

/// Parses the text of a label selector into its requirements, after apimachinery's labels.Parser
/// (values of in/notin sorted and deduplicated); nullopt with `error` set to what is wrong ("found
/// ')', expected: identifier", "key: Invalid value: ...").
std::optional<std::vector<label_selector::requirement>>
parse_label_requirements(std::string_view text, std::string& error);

} // namespace ambient::sim
