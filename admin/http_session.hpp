#pragma once

#include <array>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "admin/http_server_state.hpp"

namespace ambient::admin {

/// One connection of the admin server: requests in a keep-alive loop, or a single 503 when over
/// the connection limit. Runs on its strand; close() may be called from any thread.
class http_session : public std::enable_shared_from_this<http_session> {
public:
  /// `counted`: the connection is within max_connections (else it is refused with 503).
  http_session(http_server::impl& server, boost::asio::ip::tcp::socket sock, bool counted);
  ~http_session();

  /// Starts serving (or refusing) on the connection's strand.
  void start();
  /// Closes the connection from any thread.
  void close();

private:
  void read_request();
  void on_read(const boost::beast::error_code& ec);
  void refuse();
  static http_response_message error_response(boost::beast::http::status status, std::string body);
  void write(http_response_message res, bool close_after);
  /// Half-closes, then reads what the client still sends until it closes too (or a bound).
  void linger();
  void drain();

  http_server::impl& server_;
  boost::beast::tcp_stream stream_;
  bool counted_;
  bool closing_ = false;
  boost::beast::flat_buffer buffer_;
  std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
  std::array<char, 4096> scratch_{};
  std::size_t drained_ = 0;
};

} // namespace ambient::admin
