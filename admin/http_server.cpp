#include "admin/http_server.hpp"

#include "base/net_names.hpp"

#include <stdexcept>

#include <boost/asio/post.hpp>

#include "admin/http_server_state.hpp"
#include "admin/http_session.hpp"
#include "admin/http_target.hpp"
#include "admin/listen_address.hpp"

namespace ambient::admin {

using namespace base::net_names;

namespace {

/// True for a header name or value that would break the response framing.
bool unsafe_header(std::string_view s) {
  return s.find_first_of(std::string_view{"\r\n\0", 3}) != std::string_view::npos;
}

} // namespace

http_response_message http_server::impl::answer(const http::request<http::string_body>& req,
                                                bool& close_after) {
  bool head = req.method() == http::verb::head;
  http_response_message res{http::status::ok, req.version()};
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
  auto s = std::make_shared<http_session>(*this, std::move(sock), !over);
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
  std::vector<std::shared_ptr<http_session>> open;
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

} // namespace ambient::admin
