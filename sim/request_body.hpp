#pragma once

#include <optional>

#include "sim/api_errors.hpp"
#include "sim/api_handler.hpp"
#include "sim/json.hpp"

namespace ambient::sim {

/// A request's body as a JSON document: JSON text, or Kubernetes protobuf for the kinds
/// decode_kubernetes_protobuf knows. On failure nullopt and *error (400 BadRequest for JSON that
/// does not parse, 415 UnsupportedMediaType for protobuf it cannot decode).
std::optional<json> parse_request_body(const api_request& req, api_error* error);

} // namespace ambient::sim
