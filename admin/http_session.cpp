#include "admin/http_session.hpp"

#include "base/net_names.hpp"

#include <chrono>
#include <cstdint>
#include <limits>

#include <boost/asio/post.hpp>

namespace ambient::admin {

using namespace base::net_names;

namespace {

/// Admin requests carry no body worth reading; a longer one is refused.
constexpr std::size_t max_body_bytes = 64 * 1024;
/// How long, and how much, a refused client may still send before the socket closes: reading it
/// first keeps the kernel from answering with a reset that would swallow the error response.
constexpr auto linger_time = std::chrono::seconds{2};
constexpr std::size_t linger_bytes = 256 * 1024;

/// True when a read failed because the bytes were not HTTP (rather than the peer going away).
bool malformed(const beast::error_code& ec) {
  static const auto& category = http::make_error_code(http::error::bad_method).category();
  return ec.category() == category && ec != http::error::end_of_stream
         && ec != http::error::partial_message;
}

} // namespace

http_session::http_session(http_server::impl& server, tcp::socket sock, bool counted)
  : server_(server), stream_(std::move(sock)), counted_(counted) {
  // nop
}

http_session::~http_session() {
  if (counted_)
    server_.served.fetch_sub(1);
  std::lock_guard guard{server_.mutex};
  server_.sessions.erase(this);
}

void http_session::start() {
  asio::post(stream_.get_executor(), [self = shared_from_this()] {
    if (self->closing_)
      return;
    if (self->counted_)
      self->read_request();
    else
      self->refuse();
  });
}

void http_session::close() {
  asio::post(stream_.get_executor(), [self = shared_from_this()] {
    self->closing_ = true;
    self->stream_.close();
  });
}

void http_session::read_request() {
  parser_.emplace();
  parser_->header_limit(static_cast<std::uint32_t>(std::min<std::size_t>(
      server_.options.max_header_bytes, std::numeric_limits<std::uint32_t>::max())));
  parser_->body_limit(max_body_bytes);
  stream_.expires_after(server_.options.idle_timeout);
  http::async_read(
      stream_, buffer_, *parser_,
      [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
}

void http_session::on_read(const beast::error_code& ec) {
  if (closing_)
    return;
  if (ec == http::error::body_limit) {
    write(error_response(http::status::payload_too_large, "request body too large\n"), true);
  } else if (malformed(ec)) {
    server_.log->debug("bad request on {}: {}", server_.options.address, ec.message());
    write(error_response(http::status::bad_request, "bad request\n"), true);
  } else if (!ec) {
    bool close_after = false;
    auto res = server_.answer(parser_->get(), close_after);
    write(std::move(res), close_after);
  } // else: the peer left, timed out or the server stops; the socket closes with the session.
}

void http_session::refuse() {
  write(error_response(http::status::service_unavailable, "too many connections\n"), true);
}

http_response_message http_session::error_response(http::status status, std::string body) {
  http_response_message res{status, 11};
  res.set(http::field::content_type, "text/plain; charset=utf-8");
  res.body() = std::move(body);
  res.prepare_payload();
  return res;
}

void http_session::write(http_response_message res, bool close_after) {
  if (close_after)
    res.keep_alive(false);
  auto msg = std::make_shared<http_response_message>(std::move(res));
  stream_.expires_after(server_.options.idle_timeout);
  http::async_write(stream_, *msg,
                    [self = shared_from_this(), msg](beast::error_code ec, std::size_t) {
                      if (ec || self->closing_)
                        return;
                      if (msg->keep_alive())
                        self->read_request();
                      else
                        self->linger();
                    });
}

void http_session::linger() {
  beast::error_code ignored;
  stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
  stream_.expires_after(linger_time);
  drain();
}

void http_session::drain() {
  stream_.async_read_some(asio::buffer(scratch_),
                          [self = shared_from_this()](beast::error_code ec, std::size_t n) {
                            self->drained_ += n;
                            if (!ec && !self->closing_ && self->drained_ < linger_bytes)
                              self->drain();
                          });
}

} // namespace ambient::admin
