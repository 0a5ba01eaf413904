#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include "sim/api_handler.hpp"
#include "sim/api_server_state.hpp"

namespace ambient::sim {

/// One TLS connection of an API server: requests in a keep-alive loop (api_session.cpp), or one
/// chunked watch stream (watch_stream.cpp). Runs on its strand; close() and on_event() may be
/// called from any thread.
class api_session : public std::enable_shared_from_this<api_session>, public watch_sink {
public:
  api_session(std::shared_ptr<api_server::impl> server, boost::asio::ip::tcp::socket sock,
              std::shared_ptr<boost::asio::ssl::context> ctx);
  ~api_session() override;

  /// Starts the TLS handshake, then serves requests.
  void start();
  /// Closes the connection from any thread.
  void close();
  /// Whether the connection carries a watch stream.
  bool is_watch() const;
  /// watch_sink: runs under the store's lock on any thread; only queues.
  void on_event(const watch_event& e) override;

private:
  // The request loop (api_session.cpp).
  void read_request();
  bool authenticated();
  void on_request();
  void dispatch();
  void respond(api_response resp, bool retry_after = false);
  /// After a response: the next request on a keep-alive connection, else the TLS shutdown.
  void after_response();
  void shutdown();

  // The watch stream (watch_stream.cpp).
  void start_watch(watch_request w);
  static std::string chunk(const std::string& line);
  void write_raw(std::string bytes, bool close_after);
  void write_next();
  /// Moves queued events to the socket unless watches are stalled.
  void flush();
  /// Once a second: bookmarks, the watch's timeout, and flushing after a stall ends.
  void tick();

  std::shared_ptr<api_server::impl> server_;
  std::shared_ptr<boost::asio::ssl::context> ctx_;
  boost::beast::ssl_stream<boost::beast::tcp_stream> stream_;
  boost::asio::steady_timer timer_;
  boost::beast::flat_buffer buffer_;
  std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> req_;
  bool keep_alive_ = true;
  // watch state (strand only, except pending_)
  const resource_type* rt_ = nullptr;
  std::atomic<uint64_t> watch_id_{0}; // read by cut_watches() from other threads
  bool bookmarks_ = false;
  bool pending_bookmark_ = false;
  std::chrono::steady_clock::time_point last_bookmark_;
  std::optional<std::chrono::steady_clock::time_point> deadline_;
  /// An event line waiting for the socket, with its resource version.
  struct queued_event {
    uint64_t resource_version = 0;
    std::string line;
  };
  std::mutex queue_mutex_;
  std::deque<queued_event> pending_;
  std::deque<std::string> out_;
  std::string current_;
  bool writing_ = false;
  bool close_after_ = false;
};

} // namespace ambient::sim
