#pragma once

#include <optional>
#include <string_view>

#include "sim/api_errors.hpp"

namespace ambient::sim {

/// Checks a write's `fieldValidation` query parameter: empty (the server's default, Warn),
/// `Ignore`, `Warn` or `Strict`, as kubectl sends once the OpenAPI document says the server
/// validates fields. kube-sim accepts them all but checks no field against a schema (it has none);
/// any other value is the 422 Invalid the API server returns for bad CreateOptions, UpdateOptions
/// or PatchOptions (`options_kind`).
std::optional<api_error> check_field_validation(std::string_view value,
                                                std::string_view options_kind);

} // namespace ambient::sim
