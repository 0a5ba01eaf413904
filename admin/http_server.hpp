#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ambient::admin {

/// A request as handlers see it: the raw target, and its percent-decoded path and query ('+' in
/// the query is a space; of a repeated key the first value is kept).
struct http_request {
  std::string method;
  std::string target;
  std::string path;
  std::map<std::string, std::string> query;
};

/// What a handler answers. A HEAD request gets the same status and headers without the body.
struct http_response {
  unsigned status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

/// Serves one path. Runs on the server's threads and must not block long.
using http_handler = std::function<http_response(const http_request&)>;

/// Settings of an http_server.
struct http_server_options {
  /// "host:port", "[v6]:port" or ":port" (every IPv4 interface); port 0 picks a free one. The
  /// host is an IP address or "localhost".
  std::string address = "127.0.0.1:0";
  std::size_t threads = 1;
  /// A connection idle this long (or this slow to send a request) is closed.
  std::chrono::seconds idle_timeout{30};
  /// Request line and headers together; a longer head is answered with 400.
  std::size_t max_header_bytes = 8192;
  /// Connections beyond this many are accepted and closed at once with 503.
  std::size_t max_connections = 256;
};

/// The admin HTTP/1.1 server (/metrics, /healthz, /readyz, /debug/*): GET and HEAD on exact paths,
/// keep-alive, 404 for an unknown path, 405 for another method, 400 for a malformed request (the
/// connection is then closed), 500 when a handler throws (logged, not shown to the client). Plain
/// HTTP on its own io_context and threads; no CAF.
class http_server {
public:
  explicit http_server(http_server_options options);
  /// Stops and joins, as stop() does.
  ~http_server();

  http_server(const http_server&) = delete;
  http_server& operator=(const http_server&) = delete;

  /// Adds (or replaces) the route for `path`; only before start(), else std::logic_error.
  void handle(std::string path, http_handler handler);

  /// Binds and starts serving; throws std::runtime_error naming the address when it does not
  /// parse or cannot be bound ("admin: cannot listen on 999.1.1.1:1: ..."). Call once.
  void start();

  /// Stops accepting, closes every connection and joins the threads. Idempotent; not to be called
  /// from a handler.
  void stop();

  /// The bound port (after start()).
  uint16_t port() const;

  struct impl;

private:
  std::unique_ptr<impl> impl_;
};

} // namespace ambient::admin
