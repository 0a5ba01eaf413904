#include "sim/api_server.hpp"

#include "base/net_names.hpp"

#include <boost/asio/strand.hpp>

#include "sim/api_server_state.hpp"
#include "sim/api_session.hpp"

namespace ambient::sim {

using namespace base::net_names;
namespace ssl = asio::ssl;

void api_server::impl::accept_loop() {
  std::lock_guard guard{mutex};
  if (!acceptor)
    return;
  acceptor->async_accept(asio::make_strand(io),
                         [self = shared_from_this()](beast::error_code ec, tcp::socket sock) {
                           if (ec)
                             return;                     // acceptor closed (down) or failed
                           beast::error_code nodelay_ec; // small watch events go out at once
                           sock.set_option(tcp::no_delay(true), nodelay_ec);
                           std::shared_ptr<ssl::context> ctx;
                           {
                             std::lock_guard g{self->mutex};
                             ctx = self->tls_ctx;
                           }
                           auto s = std::make_shared<api_session>(self, std::move(sock), ctx);
                           self->track(s);
                           s->start();
                           self->accept_loop();
                         });
}

void api_server::impl::track(const std::shared_ptr<api_session>& s) {
  std::lock_guard guard{mutex};
  for (auto it = sessions.begin(); it != sessions.end();)
    it = it->second.expired() ? sessions.erase(it) : std::next(it);
  sessions.emplace(s.get(), s);
}

std::vector<std::shared_ptr<api_session>> api_server::impl::sessions_snapshot() {
  std::lock_guard guard{mutex};
  std::vector<std::shared_ptr<api_session>> out;
  for (auto& [p, w] : sessions)
    if (auto s = w.lock())
      out.push_back(std::move(s));
  return out;
}

api_server::api_server(asio::io_context& io, std::shared_ptr<store> data,
                       std::shared_ptr<credentials> creds, std::shared_ptr<fault_state> faults,
                       std::shared_ptr<const token_signer> tokens, tls_material tls,
                       api_server_options opts)
  : impl_(std::make_shared<impl>(io, std::move(data), std::move(creds), std::move(faults),
                                 std::move(tokens), std::move(tls), opts)) {
  // nop
}

api_server::~api_server() {
  stop();
  std::lock_guard guard{impl_->mutex};
  impl_->placeholder.reset();
}

uint16_t api_server::start(uint16_t port) {
  {
    std::lock_guard guard{impl_->mutex};
    if (impl_->acceptor)
      return impl_->bound_port;
    impl_->placeholder.reset();
    auto acc = std::make_unique<tcp::acceptor>(impl_->io);
    tcp::endpoint ep{asio::ip::make_address("127.0.0.1"), port};
    acc->open(ep.protocol());
    acc->set_option(asio::socket_base::reuse_address(true));
    acc->bind(ep);
    acc->listen(asio::socket_base::max_listen_connections);
    impl_->bound_port = acc->local_endpoint().port();
    impl_->acceptor = std::move(acc);
  }
  impl_->accept_loop();
  return impl_->bound_port;
}

void api_server::stop() {
  {
    std::lock_guard guard{impl_->mutex};
    if (impl_->acceptor) {
      beast::error_code ec;
      impl_->acceptor->close(ec);
      impl_->acceptor.reset();
      auto hold = std::make_unique<tcp::socket>(impl_->io);
      hold->open(tcp::v4(), ec);
      if (!ec)
        hold->set_option(asio::socket_base::reuse_address(true), ec);
      if (!ec)
        hold->bind({asio::ip::make_address("127.0.0.1"), impl_->bound_port}, ec);
      if (!ec)
        impl_->placeholder = std::move(hold);
    }
  }
  for (auto& s : impl_->sessions_snapshot())
    s->close();
}

bool api_server::running() const {
  std::lock_guard guard{impl_->mutex};
  return impl_->acceptor != nullptr;
}

void api_server::cut_watches() {
  for (auto& s : impl_->sessions_snapshot())
    if (s->is_watch())
      s->close();
}

void api_server::set_tls(const tls_material& tls) {
  auto ctx = make_tls_context(tls);
  std::lock_guard guard{impl_->mutex};
  impl_->tls_ctx = std::move(ctx);
}

uint16_t api_server::port() const {
  std::lock_guard guard{impl_->mutex};
  return impl_->bound_port;
}

size_t api_server::open_watches() const {
  return impl_->watches.load();
}

std::vector<std::string> api_server::requests() const {
  return impl_->requests.snapshot();
}

} // namespace ambient::sim
