#include "support/tcp_proxy.hpp"

#include <array>
#include <atomic>
#include <mutex>
#include <set>
#include <thread>

#include <utility>

#include <boost/asio.hpp>

namespace ambient::test {

namespace asio = boost::asio;
using asio::ip::tcp;

struct tcp_proxy::impl : std::enable_shared_from_this<impl> {
  struct link {
    tcp::socket down, up;
    std::array<char, 16384> a{}, b{};
    explicit link(asio::io_context& io) : down(io), up(io) {}
    void close() {
      boost::system::error_code ec;
      down.close(ec);
      up.close(ec);
    }
  };

  asio::io_context io;
  tcp::acceptor acceptor{io, {asio::ip::make_address("127.0.0.1"), 0}};
  uint16_t upstream;
  std::atomic<bool> cut{false};
  std::set<std::shared_ptr<link>> links; // touched on the io thread only
  std::thread thread;

  explicit impl(uint16_t up) : upstream(up) {}

  void accept() {
    auto l = std::make_shared<link>(io);
    acceptor.async_accept(l->down, [self = shared_from_this(), l](boost::system::error_code ec) {
      if (ec)
        return;
      if (self->cut) {
        l->close();
      } else {
        self->links.insert(l);
        l->up.async_connect({asio::ip::make_address("127.0.0.1"), self->upstream},
                            [self, l](boost::system::error_code e) {
                              if (e)
                                return self->drop(l);
                              self->pump(l, l->down, l->up, l->a);
                              self->pump(l, l->up, l->down, l->b);
                            });
      }
      self->accept();
    });
  }

  void pump(const std::shared_ptr<link>& l, tcp::socket& from, tcp::socket& to,
            std::array<char, 16384>& buf) {
    from.async_read_some(asio::buffer(buf), [self = shared_from_this(), l, &from, &to,
                                             &buf](boost::system::error_code ec, size_t n) {
      if (ec)
        return self->drop(l);
      asio::async_write(to, asio::buffer(buf.data(), n),
                        [self, l, &from, &to, &buf](boost::system::error_code e, size_t) {
                          if (e)
                            return self->drop(l);
                          self->pump(l, from, to, buf);
                        });
    });
  }

  void drop(const std::shared_ptr<link>& l) {
    l->close();
    links.erase(l);
  }
};

tcp_proxy::tcp_proxy(uint16_t upstream) : impl_(std::make_shared<impl>(upstream)) {
  impl_->accept();
  impl_->thread = std::thread([i = impl_] { i->io.run(); });
}

tcp_proxy::~tcp_proxy() {
  impl_->cut = true; // a connection accepted from now on is closed at once
  asio::post(impl_->io, [i = impl_] {
    boost::system::error_code ec;
    i->acceptor.close(ec);
    for (const auto& l : i->links)
      l->close();
    i->links.clear();
  });
  // Every pending operation now ends with an error and its handler returns without starting
  // another, so run() returns by itself once the handlers (each holding the impl) are gone. No
  // io.stop(): it would leave them queued in the io_context the impl owns, a cycle that leaked
  // both (LeakSanitizer).
  impl_->thread.join();
}

uint16_t tcp_proxy::port() const {
  return impl_->acceptor.local_endpoint().port();
}

void tcp_proxy::cut() {
  impl_->cut = true;
  asio::post(impl_->io, [i = impl_] {
    for (const auto& l : i->links)
      l->close();
    i->links.clear();
  });
}

void tcp_proxy::heal() {
  impl_->cut = false;
}

} // namespace ambient::test
