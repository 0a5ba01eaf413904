#pragma once

#include <chrono>
#include <map>
#include <string>
#include <variant>

#include "sim/query_string.hpp"
#include "sim/store.hpp"
#include "sim/watch_events.hpp"

namespace ambient::sim {

/// An API request with the HTTP framing already removed.
struct api_request {
  std::string method; ///< GET, POST, PUT, PATCH, DELETE
  std::string target; ///< path and query, as sent
  std::string content_type;
  std::string body;
};

/// A complete (non-streaming) response.
struct api_response {
  int status = 200;
  std::string body;
  std::string content_type = "application/json";
};

/// A request that turns into a watch stream; the transport starts it on the store.
struct watch_request {
  const resource_type* resource = nullptr;
  object_filter filter;
  std::string resource_version;
  bool allow_bookmarks = false;
  std::chrono::seconds timeout{0}; ///< 0: until the client or the server ends it
};

using api_outcome = std::variant<api_response, watch_request>;

class token_signer;

/// Routes one Kubernetes API request (discovery, get, list, create, update, patch, delete, the
/// start of a watch, and with a `tokens` signer TokenRequest and TokenReview) against a store.
/// Pure apart from the store (whose clock is the tokens' now): no sockets.
api_outcome handle_api_request(store& s, const api_request& req, const std::string& server_address,
                               const token_signer* tokens = nullptr);

/// Renders an error as a complete response.
api_response error_response(const api_error& e);

} // namespace ambient::sim
