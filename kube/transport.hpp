#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <variant>

#include "kube/connection_settings.hpp"

namespace ambient::kube {

/// Limits of one client (one cluster), as client-go's rest.Config has them.
struct client_limits {
  double qps = 50;
  uint32_t burst = 100;
  std::chrono::milliseconds connect_timeout{10'000};
  /// Total time for a non-streaming request (LIST, GET, writes).
  std::chrono::milliseconds request_timeout{60'000};
  size_t max_response_bytes = 1u << 30;
  /// How often a token file is re-read (client-go caches a token file for one minute).
  std::chrono::milliseconds token_file_refresh{60'000};
};

/// The end of a request. `status` is the HTTP status, or 0 when no HTTP response arrived (then
/// `error` says why: connect, TLS, timeout, reset, cancelled).
struct response_end {
  int status = 0;
  std::string body; ///< the whole body for plain requests; for a stream, only a non-2xx body
  std::string error;
  bool cancelled = false;
};

/// The Kubernetes HTTP transport: one libcurl multi handle driven by its own thread (never a
/// scheduler worker), HTTP/2 when the server offers it (requests to one server share its
/// connection), per-client QPS/burst token buckets, timeouts, and cancellation. Callbacks run on
/// the transport thread and must only hand data on (e.g. send it to an actor).
class transport {
public:
  using client_id = uint64_t;
  using request_id = uint64_t;

  /// Called with each chunk of a 2xx streaming response, as it arrives; first with an empty
  /// chunk as soon as the response's headers are in (the stream is open, even if no byte of the
  /// body has come yet).
  using data_fn = std::function<void(std::string_view chunk)>;
  /// Called once when a request ends, however it ends.
  using done_fn = std::function<void(response_end)>;

  transport();
  ~transport();
  transport(const transport&) = delete;
  transport& operator=(const transport&) = delete;

  /// Registers a client (one per cluster); thread-safe.
  client_id add_client(connection_settings settings, client_limits limits = {});
  /// Removes a client and cancels its requests.
  void remove_client(client_id c);

  /// Starts a request; thread-safe. `path` includes the query. With a `on_data` callback the
  /// response is streamed (watch); otherwise the body is collected and passed to `on_done`.
  request_id start(client_id c, std::string method, std::string path, std::string body,
                   data_fn on_data, done_fn on_done);
  /// Cancels a request; its `on_done` runs with `cancelled = true` unless it already ended.
  void cancel(request_id r);

  /// Requests waiting for a rate-limit token or running.
  size_t in_flight() const;

  struct impl;

private:
  std::unique_ptr<impl> impl_;
};

} // namespace ambient::kube
