#include "sim/field_validation.hpp"

#include <string>

namespace ambient::sim {

std::optional<api_error> check_field_validation(std::string_view value,
                                                std::string_view options_kind) {
  if (value.empty() || value == "Ignore" || value == "Warn" || value == "Strict")
    return std::nullopt;
  return api_error{422, "Invalid",
                   std::string{options_kind} + R"(.meta.k8s.io "" is invalid: fieldValidation: )"
                       + R"(Unsupported value: ")" + std::string{value}
                       + R"(": supported values: "Ignore", "Strict", "Warn")",
                   std::string{options_kind}, ""};
}

} // namespace ambient::sim
