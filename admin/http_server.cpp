#include "admin/http_server.hpp"

#include "base/percent.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <charconv>
#include <limits>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <unordered_map>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "telemetry/log.hpp"

namespace ambient::admin {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

using response_t = http::response<http::string_body>;

/// Admin requests carry no body worth reading; a longer one is refused.
constexpr std::size_t max_body_bytes = 64 * 1024;
/// How long, and how much, a refused client may still send before the socket closes: reading it
/// first keeps the kernel from answering with a reset that would swallow the error response.
constexpr auto linger_time = std::chrono::seconds{2};
constexpr std::size_t linger_bytes = 256 * 1024;

/// The handler's view of a request target; nullopt when its escapes are broken.
std::optional<http_request> parse_target(std::string_view method, std::string_view target) {
  http_request req{std::string{method}, std::string{target}, {}, {}};
  auto mark = target.find('?');
  auto path = base::percent_decode(target.substr(0, mark), false);
  if (!path)
    return std::nullopt;
  req.path = std::move(*path);
  auto rest = mark == std::string_view::npos ? std::string_view{} : target.substr(mark + 1);
  while (!rest.empty()) {
    auto amp = rest.find('&');
    auto pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view{} : rest.substr(amp + 1);
    if (pair.empty())
      continue;
    auto eq = pair.find('=');
    auto key = base::percent_decode(pair.substr(0, eq), true);
    auto value = base::percent_decode(
        eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1), true);
    if (!key || !value)
      return std::nullopt;
    req.query.emplace(std::move(*key), std::move(*value));
  }
  return req;
}

/// True for a header name or value that would break the response framing.
bool unsafe_header(std::string_view s) {
  return s.find_first_of(std::string_view{"\r\n\0", 3}) != std::string_view::npos;
}

/// True when a read failed because the bytes were not HTTP (rather than the peer going away).
bool malformed(const beast::error_code& ec) {
  static const auto& category = http::make_error_code(http::error::bad_method).category();
  return ec.category() == category && ec != http::error::end_of_stream
         && ec != http::error::partial_message;
}

} // namespace

/// State the sessions share; outlives them (they end before the io_context's threads return).
struct http_server::impl {
  class session;

  explicit impl(http_server_options opts)
    : options(std::move(opts)), log(telemetry::make_logger("admin")) {
    // nop
  }

  void accept();
  void on_accept(const beast::error_code& ec, tcp::socket sock);
  void close_all();
  response_t answer(const http::request<http::string_body>& req, bool& close_after);

  http_server_options options;
  std::shared_ptr<spdlog::logger> log;
  std::map<std::string, http_handler, std::less<>> routes;
  std::mutex mutex; // guards sessions
  std::unordered_map<session*, std::weak_ptr<session>> sessions;
  std::atomic<std::size_t> served{0}; // connections counted against max_connections
  // Declared after what sessions touch: destroying it destroys the handlers that hold sessions.
  asio::io_context io{static_cast<int>(std::clamp<std::size_t>(options.threads, 1, 256))};
  asio::strand<asio::io_context::executor_type> accept_strand{io.get_executor()};
  tcp::acceptor acceptor{accept_strand};
  asio::steady_timer retry{accept_strand};
  std::vector<std::thread> threads;
  uint16_t port = 0;
  bool started = false;
  bool stopped = false;
};

/// One connection: requests in a keep-alive loop, or a single 503 when over the limit.
class http_server::impl::session : public std::enable_shared_from_this<session> {
public:
  session(impl& server, tcp::socket sock, bool counted)
    : server_(server), stream_(std::move(sock)), counted_(counted) {
    // nop
  }

  ~session() {
    if (counted_)
      server_.served.fetch_sub(1);
    std::lock_guard guard{server_.mutex};
    server_.sessions.erase(this);
  }

  /// Starts serving (or refusing) on the connection's strand.
  void start() {
    asio::post(stream_.get_executor(), [self = shared_from_this()] {
      if (self->closing_)
        return;
      if (self->counted_)
        self->read_request();
      else
        self->refuse();
    });
  }

  /// Closes the connection from any thread.
  void close() {
    asio::post(stream_.get_executor(), [self = shared_from_this()] {
      self->closing_ = true;
      self->stream_.close();
    });
  }

private:
  void read_request() {
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(std::min<std::size_t>(
        server_.options.max_header_bytes, std::numeric_limits<std::uint32_t>::max())));
    parser_->body_limit(max_body_bytes);
    stream_.expires_after(server_.options.idle_timeout);
    http::async_read(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
  }

  void on_read(const beast::error_code& ec) {
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

  void refuse() {
    write(error_response(http::status::service_unavailable, "too many connections\n"), true);
  }

  static response_t error_response(http::status status, std::string body) {
    response_t res{status, 11};
    res.set(http::field::content_type, "text/plain; charset=utf-8");
    res.body() = std::move(body);
    res.prepare_payload();
    return res;
  }

  void write(response_t res, bool close_after) {
    if (close_after)
      res.keep_alive(false);
    auto msg = std::make_shared<response_t>(std::move(res));
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

  /// Half-closes, then reads what the client still sends until it closes too (or a bound).
  void linger() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream_.expires_after(linger_time);
    drain();
  }

  void drain() {
    stream_.async_read_some(asio::buffer(scratch_),
                            [self = shared_from_this()](beast::error_code ec, std::size_t n) {
                              self->drained_ += n;
                              if (!ec && !self->closing_ && self->drained_ < linger_bytes)
                                self->drain();
                            });
  }

  impl& server_;
  beast::tcp_stream stream_;
  bool counted_;
  bool closing_ = false;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::array<char, 4096> scratch_{};
  std::size_t drained_ = 0;
};

response_t http_server::impl::answer(const http::request<http::string_body>& req,
                                     bool& close_after) {
  bool head = req.method() == http::verb::head;
  response_t res{http::status::ok, req.version()};
  res.keep_alive(req.keep_alive());
  res.set("X-Content-Type-Options", "nosniff");
  http_response out;
  auto method = req.method_string();
  auto target = req.target();
  auto view = parse_target({method.data(), method.size()}, {target.data(), target.size()});
  if (req.method() != http::verb::get && !head) {
    out = {405,
           out.content_type,
           "method not allowed: " + std::string{req.method_string()} + "\n",
           {{"Allow", "GET, HEAD"}}};
  } else if (!view) {
    out = {400, out.content_type, "bad request: broken percent-escape in the target\n", {}};
    close_after = true;
  } else if (auto route = routes.find(view->path); route == routes.end()) {
    out = {404, out.content_type, "404 page not found: " + view->path + "\n", {}};
  } else {
    try {
      out = route->second(*view);
      if (out.status < 200 || out.status > 599)
        throw std::runtime_error("status " + std::to_string(out.status) + " out of range");
      for (const auto& [name, value] : out.headers)
        if (name.empty() || unsafe_header(name) || unsafe_header(value))
          throw std::runtime_error("header " + name + " breaks the response");
      if (unsafe_header(out.content_type))
        throw std::runtime_error("content type breaks the response");
    } catch (const std::exception& e) {
      log->error("handler for {} failed: {}", view->path, e.what());
      out = {500, http_response{}.content_type, "internal error\n", {}};
    } catch (...) {
      log->error("handler for {} failed: an exception not derived from std::exception", view->path);
      out = {500, http_response{}.content_type, "internal error\n", {}};
    }
  }
  res.result(out.status);
  res.set(http::field::content_type, out.content_type);
  for (const auto& [name, value] : out.headers)
    res.set(name, value);
  // HEAD: the headers a GET would get, Content-Length included, and no body. 204 has neither.
  if (out.status != 204)
    res.content_length(out.body.size());
  if (!head && out.status != 204)
    res.body() = std::move(out.body);
  return res;
}

void http_server::impl::accept() {
  acceptor.async_accept(asio::make_strand(io), [this](beast::error_code ec, tcp::socket sock) {
    on_accept(ec, std::move(sock));
  });
}

void http_server::impl::on_accept(const beast::error_code& ec, tcp::socket sock) {
  if (!acceptor.is_open())
    return; // stopping
  if (ec) {
    // Out of descriptors, usually: try again shortly rather than spin.
    log->warn("accept on {} failed: {}", options.address, ec.message());
    retry.expires_after(std::chrono::milliseconds{100});
    retry.async_wait([this](beast::error_code wait_ec) {
      if (!wait_ec)
        accept();
    });
    return;
  }
  bool over = served.load() >= options.max_connections;
  if (!over)
    served.fetch_add(1);
  auto s = std::make_shared<session>(*this, std::move(sock), !over);
  {
    std::lock_guard guard{mutex};
    sessions.emplace(s.get(), s);
  }
  s->start();
  accept();
}

void http_server::impl::close_all() {
  beast::error_code ignored;
  acceptor.close(ignored);
  retry.cancel();
  std::vector<std::shared_ptr<session>> open;
  {
    std::lock_guard guard{mutex};
    for (auto& [ptr, weak] : sessions)
      if (auto s = weak.lock())
        open.push_back(std::move(s));
  }
  for (auto& s : open)
    s->close();
}

http_server::http_server(http_server_options options)
  : impl_(std::make_unique<impl>(std::move(options))) {
  // nop
}

http_server::~http_server() {
  stop();
}

void http_server::handle(std::string path, http_handler handler) {
  if (impl_->started)
    throw std::logic_error("admin: route " + path + " added after start()");
  impl_->routes.insert_or_assign(std::move(path), std::move(handler));
}

void http_server::start() {
  auto& s = *impl_;
  if (s.started || s.stopped)
    throw std::logic_error("admin: start() called twice");
  auto fail = [&s](const std::string& why) {
    return std::runtime_error("admin: cannot listen on " + s.options.address + ": " + why);
  };
  auto parsed = parse_listen_address(s.options.address);
  if (!parsed)
    throw fail("not host:port");
  beast::error_code ec;
  asio::ip::address ip;
  if (parsed->first.empty())
    ip = asio::ip::address_v4::any();
  else if (parsed->first == "localhost")
    ip = asio::ip::address_v4::loopback();
  else
    ip = asio::ip::make_address(parsed->first, ec);
  if (ec)
    throw fail("not an IP address");
  tcp::endpoint ep{ip, parsed->second};
  s.acceptor.open(ep.protocol(), ec);
  if (!ec)
    s.acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec)
    s.acceptor.bind(ep, ec);
  if (!ec)
    s.acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    beast::error_code ignored;
    s.acceptor.close(ignored);
    throw fail(ec.message());
  }
  s.port = s.acceptor.local_endpoint().port();
  s.started = true;
  asio::post(s.accept_strand, [&s] { s.accept(); });
  for (std::size_t i = 0; i < std::clamp<std::size_t>(s.options.threads, 1, 256); ++i)
    s.threads.emplace_back([&s] {
      for (;;) {
        try {
          s.io.run();
          return;
        } catch (const std::exception& e) {
          s.log->error("{} serving {}", e.what(), s.options.address);
        }
      }
    });
}

void http_server::stop() {
  auto& s = *impl_;
  if (!s.started || s.stopped)
    return;
  s.stopped = true;
  // On the acceptor's strand, so no connection is accepted after the sweep.
  asio::post(s.accept_strand, [&s] { s.close_all(); });
  for (auto& t : s.threads)
    t.join();
  s.threads.clear();
}

uint16_t http_server::port() const {
  return impl_->port;
}

std::optional<std::pair<std::string, uint16_t>> parse_listen_address(std::string_view address) {
  std::string_view host;
  std::string_view port;
  if (address.starts_with('[')) {
    auto close = address.find(']');
    if (close == std::string_view::npos || close == 1 || close + 1 >= address.size()
        || address[close + 1] != ':')
      return std::nullopt;
    host = address.substr(1, close - 1);
    port = address.substr(close + 2);
  } else {
    auto colon = address.rfind(':');
    if (colon == std::string_view::npos)
      return std::nullopt;
    host = address.substr(0, colon);
    if (host.find_first_of(":[]") != std::string_view::npos)
      return std::nullopt; // an IPv6 address needs brackets
    port = address.substr(colon + 1);
  }
  unsigned value = 0;
  const char* end = port.data() + port.size();
  auto [ptr, ec] = std::from_chars(port.data(), end, value);
  if (port.empty() || ec != std::errc{} || ptr != end || value > 65535)
    return std::nullopt;
  return std::pair{std::string{host}, static_cast<uint16_t>(value)};
}

} // namespace ambient::admin
