#pragma once

#include <string>

#include "sim/resources.hpp"

namespace ambient::sim {

/// An error the API server reports as a `kind: Status` object.
struct api_error {
  int code = 500;
  std::string reason; ///< NotFound, AlreadyExists, Conflict, Invalid, BadRequest, Expired...
  std::string message;
  std::string kind; ///< details.kind (the resource), may be empty
  std::string name; ///< details.name, may be empty
};

/// Renders an api_error as a Status object.
std::string status_json(const api_error& e);

/// 400 BadRequest with `message`.
api_error bad_request(std::string message);

/// 404 NotFound: `<resource> "<name>" not found`.
api_error not_found(const resource_type& rt, const std::string& name);

/// 409 Conflict: the object changed since the version the client sent.
api_error conflict(const resource_type& rt, const std::string& name);

/// 422 Invalid: `<Kind> "<name>" is invalid: <message>`.
api_error invalid_object(const resource_type& rt, const std::string& name, std::string message);

} // namespace ambient::sim
