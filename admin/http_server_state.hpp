#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/http.hpp>

#include "admin/http_server.hpp"
#include "telemetry/log.hpp"

namespace ambient::admin {

class http_session;

/// What the server answers with.
using http_response_message = boost::beast::http::response<boost::beast::http::string_body>;

/// State the sessions share; outlives them (they end before the io_context's threads return).
struct http_server::impl {
  explicit impl(http_server_options opts)
    : options(std::move(opts)), log(telemetry::make_logger("admin")) {
    // nop
  }

  /// Accepts the next connection (on the acceptor's strand).
  void accept();
  void on_accept(const boost::beast::error_code& ec, boost::asio::ip::tcp::socket sock);
  /// Closes the acceptor and every open connection.
  void close_all();
  /// The response to one request: the route's handler, or 400/404/405/500; sets `close_after`
  /// when the connection must close after it.
  http_response_message
  answer(const boost::beast::http::request<boost::beast::http::string_body>& req,
         bool& close_after);

  http_server_options options;
  std::shared_ptr<spdlog::logger> log;
  std::map<std::string, http_handler, std::less<>> routes;
  std::mutex mutex; // guards sessions
  std::unordered_map<http_session*, std::weak_ptr<http_session>> sessions;
  std::atomic<std::size_t> served{0}; // connections counted against max_connections
  // Declared after what sessions touch: destroying it destroys the handlers that hold sessions.
  boost::asio::io_context io{static_cast<int>(std::clamp<std::size_t>(options.threads, 1, 256))};
  boost::asio::strand<boost::asio::io_context::executor_type> accept_strand{io.get_executor()};
  boost::asio::ip::tcp::acceptor acceptor{accept_strand};
  boost::asio::steady_timer retry{accept_strand};
  std::vector<std::thread> threads;
  uint16_t port = 0;
  bool started = false;
  bool stopped = false;
};

} // namespace ambient::admin
