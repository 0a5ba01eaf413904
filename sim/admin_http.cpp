#include "sim/admin_api.hpp"

#include "base/net_names.hpp"

namespace ambient::sim {

using namespace base::net_names;

/// A minimal HTTP/1.1 server, one request per connection.
struct admin_api::server : std::enable_shared_from_this<admin_api::server> {
  server(asio::io_context& io, admin_api& api_) : acceptor(io), api(api_) {
    // nop
  }
  void accept() {
    acceptor.async_accept([self = shared_from_this()](beast::error_code ec, tcp::socket sock) {
      if (ec)
        return;
      auto conn = std::make_shared<connection>(std::move(sock), self);
      conn->start();
      self->accept();
    });
  }
  struct connection : std::enable_shared_from_this<connection> {
    connection(tcp::socket s, std::shared_ptr<server> srv) : stream(std::move(s)), owner(srv) {
      // nop
    }
    void start() {
      stream.expires_after(std::chrono::seconds{30});
      http::async_read(stream, buf, req, [self = shared_from_this()](beast::error_code ec, size_t) {
        if (ec)
          return;
        auto r = self->owner->api.handle(std::string{self->req.method_string()},
                                         std::string{self->req.target()});
        self->res.result(static_cast<http::status>(r.status));
        self->res.set(http::field::content_type, r.content_type);
        self->res.body() = std::move(r.body);
        self->res.keep_alive(false);
        self->res.prepare_payload();
        http::async_write(self->stream, self->res, [self](beast::error_code, size_t) {
          beast::error_code ignored;
          self->stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
        });
      });
    }
    beast::tcp_stream stream;
    beast::flat_buffer buf;
    http::request<http::string_body> req;
    http::response<http::string_body> res;
    std::shared_ptr<server> owner;
  };
  tcp::acceptor acceptor;
  admin_api& api;
};

admin_api::~admin_api() {
  if (server_) {
    beast::error_code ec;
    server_->acceptor.close(ec);
  }
  std::lock_guard guard{mutex_};
  churn_.clear();
  stamped_.clear();
}

uint16_t admin_api::listen(uint16_t port) {
  server_ = std::make_shared<server>(fleet_.io(), *this);
  tcp::endpoint ep{asio::ip::make_address("127.0.0.1"), port};
  server_->acceptor.open(ep.protocol());
  server_->acceptor.set_option(asio::socket_base::reuse_address(true));
  server_->acceptor.bind(ep);
  server_->acceptor.listen();
  server_->accept();
  return server_->acceptor.local_endpoint().port();
}

} // namespace ambient::sim
