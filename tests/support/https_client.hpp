#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <vector>

namespace ambient::test {

/// A blocking HTTPS client for tests (libcurl): trusts one CA, sends a bearer token or a client
/// certificate. Not the product's Kubernetes client; it only drives kube-sim from tests.
struct https_client {
  std::string ca_pem;
  std::string token;
  std::string client_cert_pem;
  std::string client_key_pem;

  struct response {
    int status = 0; ///< HTTP status; 0 when the request failed below HTTP
    std::string body;
    std::string error;       ///< curl's error text when status is 0
    std::string retry_after; ///< the Retry-After header, if any
  };

  response request(const std::string& method, const std::string& url, const std::string& body = {},
                   const std::string& content_type = "application/json") const;

  /// Streams a watch: calls `on_line` for every newline-terminated line until it returns false,
  /// the server ends the stream, or `limit` passes. Returns the HTTP status (0 if none).
  int watch(const std::string& url, std::chrono::milliseconds limit,
            const std::function<bool(const std::string&)>& on_line,
            std::string* error = nullptr) const;
};

} // namespace ambient::test
