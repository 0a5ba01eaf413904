#include "sim/api_server.hpp"

#include <algorithm>
#include <deque>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "sim/api_handler.hpp"
#include "sim/request_log.hpp"

namespace ambient::sim {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

void credentials::add_token(const std::string& token) {
  std::lock_guard guard{mutex_};
  tokens_.insert(token);
}

void credentials::revoke_token(const std::string& token) {
  std::lock_guard guard{mutex_};
  tokens_.erase(token);
}

bool credentials::token_valid(const std::string& token) const {
  std::lock_guard guard{mutex_};
  return tokens_.contains(token);
}

namespace {

std::shared_ptr<ssl::context> make_tls_context(const tls_material& tls) {
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2
                   | ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
  ctx->use_certificate_chain(asio::buffer(tls.server_cert_pem));
  ctx->use_private_key(asio::buffer(tls.server_key_pem), ssl::context::pem);
  ctx->add_certificate_authority(asio::buffer(tls.client_ca_pem));
  // Ask for a client certificate but do not require one: bearer tokens are the other way in.
  ctx->set_verify_mode(ssl::verify_peer);
  ctx->set_verify_callback([](bool, ssl::verify_context&) { return true; });
  return ctx;
}

} // namespace

/// Shared state of the server, kept alive by every session.
struct api_server::impl : std::enable_shared_from_this<api_server::impl> {
  class session;

  impl(asio::io_context& io_, std::shared_ptr<store> s, std::shared_ptr<credentials> c,
       std::shared_ptr<fault_state> f, tls_material tls, api_server_options o)
    : io(io_), data(std::move(s)), creds(std::move(c)), faults(std::move(f)),
      tls_ctx(make_tls_context(tls)), opts(o) {
    // nop
  }

  void accept_loop();
  void track(const std::shared_ptr<session>& s);
  std::vector<std::shared_ptr<session>> sessions_snapshot();

  asio::io_context& io;
  std::shared_ptr<store> data;
  std::shared_ptr<credentials> creds;
  std::shared_ptr<fault_state> faults;
  std::mutex mutex; // guards tls_ctx, acceptor, sessions
  std::shared_ptr<ssl::context> tls_ctx;
  api_server_options opts;
  std::unique_ptr<tcp::acceptor> acceptor;
  /// While stopped: a socket bound to the port without listening, so connections are refused
  /// and the kernel cannot hand the port to an outgoing connection before start() takes it back.
  std::unique_ptr<tcp::socket> placeholder;
  std::atomic<uint16_t> bound_port{0}; // set by start() on the caller's thread, read by sessions
  std::map<session*, std::weak_ptr<session>> sessions;
  std::atomic<size_t> watches{0};
  request_log requests;
};

/// One TLS connection: requests in a keep-alive loop, or one watch stream.
class api_server::impl::session : public std::enable_shared_from_this<session>, public watch_sink {
public:
  session(std::shared_ptr<impl> server, tcp::socket sock, std::shared_ptr<ssl::context> ctx)
    : server_(std::move(server)), ctx_(std::move(ctx)), stream_(std::move(sock), *ctx_),
      timer_(stream_.get_executor()) {
    // nop
  }

  ~session() override {
    // No call into the store here: this may run under the store's lock (see watch_sink); the
    // store drops the watch once this sink is gone.
    if (watch_id_ != 0)
      server_->watches.fetch_sub(1);
  }

  void start() {
    beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds{30});
    stream_.async_handshake(ssl::stream_base::server,
                            [self = shared_from_this()](beast::error_code ec) {
                              if (!ec)
                                self->read_request();
                            });
  }

  /// Closes the connection from any thread.
  void close() {
    asio::post(stream_.get_executor(), [self = shared_from_this()] {
      beast::error_code ec;
      self->timer_.cancel();
      beast::get_lowest_layer(self->stream_).socket().shutdown(tcp::socket::shutdown_both, ec);
      beast::get_lowest_layer(self->stream_).close();
    });
  }

  bool is_watch() const {
    return watch_id_.load() != 0;
  }

  // watch_sink: runs under the store's lock on any thread; only queues.
  void on_event(const watch_event& e) override {
    queued_event q{e.object->resource_version, watch_event_json(e)};
    {
      std::lock_guard guard{queue_mutex_};
      pending_.push_back(std::move(q));
    }
    asio::post(stream_.get_executor(), [weak = weak_from_this()] {
      if (auto self = weak.lock())
        self->flush();
    });
  }

private:
  void read_request() {
    req_.emplace();
    req_->body_limit(server_->opts.max_body_bytes);
    beast::get_lowest_layer(stream_).expires_after(std::chrono::minutes{5});
    http::async_read(stream_, buffer_, *req_,
                     [self = shared_from_this()](beast::error_code ec, size_t) {
                       if (ec)
                         return; // closed, timed out or malformed: drop the connection
                       self->on_request();
                     });
  }

  bool authenticated() {
    auto& r = req_->get();
    auto auth = r[http::field::authorization];
    if (auth.starts_with("Bearer ")) {
      std::string token{auth.substr(7)};
      if (server_->creds->token_valid(token))
        return true;
    }
    SSL* ssl_handle = stream_.native_handle();
    X509* peer = SSL_get1_peer_certificate(ssl_handle);
    if (peer == nullptr)
      return false;
    X509_free(peer);
    return SSL_get_verify_result(ssl_handle) == X509_V_OK;
  }

  void on_request() {
    {
      auto& r = req_->get();
      std::string_view target{r.target().data(), r.target().size()};
      if (!target.starts_with("/healthz") && !target.starts_with("/livez")
          && !target.starts_with("/readyz"))
        server_->requests.add(std::string{r.method_string()} + " " + std::string{target});
    }
    auto delay = server_->faults->latency_ms.load();
    if (delay > 0) {
      timer_.expires_after(std::chrono::milliseconds{delay});
      timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
        if (!ec)
          self->dispatch();
      });
      return;
    }
    dispatch();
  }

  void dispatch() {
    auto& r = req_->get();
    keep_alive_ = r.keep_alive();
    std::string target{r.target()};
    bool open = target.starts_with("/healthz") || target.starts_with("/livez")
                || target.starts_with("/readyz");
    if (!open && !authenticated()) {
      respond(error_response({401, "Unauthorized", "Unauthorized", {}, {}}));
      return;
    }
    if (!open && fault_state::take(server_->faults->fail_next)) {
      int code = server_->faults->fail_code.load();
      api_error e{code,
                  code == 429 ? "TooManyRequests" : "InternalError",
                  code == 429 ? "Too many requests, please try again later."
                              : "Internal error occurred: injected by kube-sim",
                  {},
                  {}};
      respond(error_response(e), code == 429);
      return;
    }
    if (auto code = r.method() == http::verb::get ? server_->faults->list_refusal_for(target)
                                                  : std::nullopt) {
      if (*code == 0) { // held: look again shortly, and serve it once the fault is cleared
        server_->faults->held_lists.fetch_add(1);
        timer_.expires_after(std::chrono::milliseconds{50});
        timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
          if (!ec)
            self->dispatch();
        });
        return;
      }
      respond(error_response(
          *code == 403
              ? api_error{403, "Forbidden", "list is forbidden: injected by kube-sim", {}, {}}
              : api_error{*code,
                          "InternalError",
                          "Internal error occurred: list injected by kube-sim",
                          {},
                          {}}));
      return;
    }
    if (server_->faults->gateway_api_missing.load()
        && target.starts_with("/apis/gateway.networking.k8s.io")) {
      respond(error_response(
          {404, "NotFound", "the server could not find the requested resource", {}, {}}));
      return;
    }
    api_request ar{std::string{r.method_string()}, target,
                   std::string{r[http::field::content_type]}, std::move(r.body())};
    auto outcome = handle_api_request(*server_->data, ar,
                                      "127.0.0.1:" + std::to_string(server_->bound_port));
    if (auto* resp = std::get_if<api_response>(&outcome))
      respond(std::move(*resp));
    else
      start_watch(std::get<watch_request>(std::move(outcome)));
  }

  void respond(api_response resp, bool retry_after = false) {
    auto res = std::make_shared<http::response<http::string_body>>(
        static_cast<http::status>(resp.status), 11);
    res->set(http::field::content_type, resp.content_type);
    res->set(http::field::cache_control, "no-cache, private");
    if (retry_after)
      res->set(http::field::retry_after, "1");
    res->keep_alive(keep_alive_);
    res->body() = std::move(resp.body);
    res->prepare_payload();
    http::async_write(stream_, *res,
                      [self = shared_from_this(), res](beast::error_code ec, size_t) {
                        if (ec)
                          return;
                        if (self->keep_alive_)
                          self->read_request();
                        else
                          self->shutdown();
                      });
  }

  void shutdown() {
    beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds{5});
    stream_.async_shutdown([self = shared_from_this()](beast::error_code) {
      beast::get_lowest_layer(self->stream_).close();
    });
  }

  void start_watch(watch_request w) {
    rt_ = w.resource;
    bookmarks_ = w.allow_bookmarks;
    if (w.timeout.count() > 0)
      deadline_ = std::chrono::steady_clock::now() + w.timeout;
    // Watches live long: no idle deadline on the socket; the tick below ends them when due.
    beast::get_lowest_layer(stream_).expires_never();
    std::string head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                       "Cache-Control: no-cache, private\r\nTransfer-Encoding: chunked\r\n\r\n";
    if (fault_state::take(server_->faults->expire_next_watches)) {
      api_error gone{410,
                     "Expired",
                     "too old resource version: " + w.resource_version + " (injected by kube-sim)",
                     {},
                     {}};
      write_raw(head + chunk(error_event_json(gone)) + "0\r\n\r\n", true);
      return;
    }
    auto started
        = server_->data->watch(*w.resource, w.filter, w.resource_version, shared_from_this());
    if (started.error) {
      if (started.error->code == 410) {
        // As the API server does: the watch opens, then one ERROR event ends it.
        write_raw(head + chunk(error_event_json(*started.error)) + "0\r\n\r\n", true);
      } else {
        keep_alive_ = false;
        respond(error_response(*started.error));
      }
      return;
    }
    watch_id_ = started.watch_id;
    server_->watches.fetch_add(1);
    {
      std::lock_guard guard{queue_mutex_};
      std::deque<queued_event> backlog;
      for (const auto& e : started.backlog)
        backlog.push_back({e.object->resource_version, watch_event_json(e)});
      // Events that raced in after registration come after the backlog.
      for (auto& p : pending_)
        backlog.push_back(std::move(p));
      pending_ = std::move(backlog);
    }
    if (bookmarks_ && (w.resource_version.empty() || w.resource_version == "0"))
      pending_bookmark_ = true; // initial-events-end marker after the synthetic ADDEDs
    last_bookmark_ = std::chrono::steady_clock::now();
    write_raw(std::move(head), false);
    tick();
  }

  static std::string chunk(const std::string& line) {
    char size[20];
    auto n = std::snprintf(size, sizeof size, "%zx\r\n", line.size() + 1);
    std::string out;
    out.reserve(line.size() + static_cast<size_t>(n) + 4);
    out.append(size, static_cast<size_t>(n));
    out += line;
    out += "\n\r\n";
    return out;
  }

  void write_raw(std::string bytes, bool close_after) {
    out_.push_back(std::move(bytes));
    close_after_ = close_after_ || close_after;
    if (!writing_)
      write_next();
  }

  void write_next() {
    if (out_.empty()) {
      writing_ = false;
      if (close_after_)
        shutdown();
      return;
    }
    writing_ = true;
    current_ = std::move(out_.front());
    out_.pop_front();
    asio::async_write(stream_, asio::buffer(current_),
                      [self = shared_from_this()](beast::error_code ec, size_t) {
                        if (ec) {
                          beast::get_lowest_layer(self->stream_).close();
                          return;
                        }
                        self->write_next();
                      });
  }

  /// Moves queued events to the socket unless watches are stalled.
  void flush() {
    if (watch_id_ == 0 || close_after_)
      return;
    if (server_->faults->stall_watches.load()) {
      std::lock_guard guard{queue_mutex_};
      if (!pending_.empty())
        server_->faults->stalled_flushes.fetch_add(1);
      return;
    }
    // A bookmark promises that every event up to its version has been sent, so a client that
    // resumes from it misses nothing. The store queues an event to its watches under the same
    // lock that guards its version, so every event of this watch up to the version read here is
    // already queued, and the swap below takes it.
    uint64_t store_version = server_->data->resource_version();
    std::deque<queued_event> lines;
    {
      std::lock_guard guard{queue_mutex_};
      lines.swap(pending_);
    }
    std::string batch;
    uint64_t sent_version = store_version;
    for (auto& l : lines) {
      sent_version = std::max(sent_version, l.resource_version);
      if (fault_state::take(server_->faults->malformed_next_events))
        batch += chunk(R"({"type":"MODIFIED","object":{"kind":)"
                       "\x01garbage");
      else
        batch += chunk(l.line);
    }
    if (pending_bookmark_ && bookmarks_) {
      // Not the store's version now: an event queued after the swap would be older than it
      // and still unsent, and a watch cut after this bookmark would never deliver it.
      batch += chunk(bookmark_event_json(*rt_, sent_version));
      pending_bookmark_ = false;
      last_bookmark_ = std::chrono::steady_clock::now();
    }
    if (!batch.empty())
      write_raw(std::move(batch), false);
  }

  /// Once a second: bookmarks, the watch's timeout, and flushing after a stall ends.
  void tick() {
    auto now = std::chrono::steady_clock::now();
    if (deadline_ && now >= *deadline_) {
      flush();
      write_raw("0\r\n\r\n", true);
      return;
    }
    if (bookmarks_ && now - last_bookmark_ >= server_->opts.bookmark_interval)
      pending_bookmark_ = true;
    flush();
    timer_.expires_after(std::chrono::milliseconds{
        std::min<int64_t>(1000, std::max<int64_t>(10, server_->opts.bookmark_interval.count()))});
    // The pending tick is what keeps a watch session alive; close() cancels it.
    timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (!ec && beast::get_lowest_layer(self->stream_).socket().is_open())
        self->tick();
    });
  }

  std::shared_ptr<impl> server_;
  std::shared_ptr<ssl::context> ctx_;
  beast::ssl_stream<beast::tcp_stream> stream_;
  asio::steady_timer timer_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> req_;
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
                           auto s = std::make_shared<session>(self, std::move(sock), ctx);
                           self->track(s);
                           s->start();
                           self->accept_loop();
                         });
}

void api_server::impl::track(const std::shared_ptr<session>& s) {
  std::lock_guard guard{mutex};
  for (auto it = sessions.begin(); it != sessions.end();)
    it = it->second.expired() ? sessions.erase(it) : std::next(it);
  sessions.emplace(s.get(), s);
}

std::vector<std::shared_ptr<api_server::impl::session>> api_server::impl::sessions_snapshot() {
  std::lock_guard guard{mutex};
  std::vector<std::shared_ptr<session>> out;
  for (auto& [p, w] : sessions)
    if (auto s = w.lock())
      out.push_back(std::move(s));
  return out;
}

api_server::api_server(asio::io_context& io, std::shared_ptr<store> data,
                       std::shared_ptr<credentials> creds, std::shared_ptr<fault_state> faults,
                       tls_material tls, api_server_options opts)
  : impl_(std::make_shared<impl>(io, std::move(data), std::move(creds), std::move(faults),
                                 std::move(tls), opts)) {
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
