#include "sim/api_session.hpp"

#include "base/net_names.hpp"

#include <boost/asio/post.hpp>
#include <openssl/ssl.h>
#include <openssl/x509.h>

namespace ambient::sim {

using namespace base::net_names;
namespace ssl = asio::ssl;

namespace {

/// Whether `target` is the TokenReview endpoint (the tokenreview fault's target).
bool is_token_review(std::string_view target) {
  auto path = target.substr(0, target.find('?'));
  while (path.ends_with('/'))
    path.remove_suffix(1);
  return path == "/apis/authentication.k8s.io/v1/tokenreviews";
}

} // namespace

api_session::api_session(std::shared_ptr<api_server::impl> server, tcp::socket sock,
                         std::shared_ptr<ssl::context> ctx)
  : server_(std::move(server)), ctx_(std::move(ctx)), stream_(std::move(sock), *ctx_),
    timer_(stream_.get_executor()) {
  // nop
}

api_session::~api_session() {
  // No call into the store here: this may run under the store's lock (see watch_sink); the
  // store drops the watch once this sink is gone.
  if (watch_id_ != 0)
    server_->watches.fetch_sub(1);
}

void api_session::start() {
  beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds{30});
  stream_.async_handshake(ssl::stream_base::server,
                          [self = shared_from_this()](beast::error_code ec) {
                            if (!ec)
                              self->read_request();
                          });
}

void api_session::close() {
  asio::post(stream_.get_executor(), [self = shared_from_this()] {
    beast::error_code ec;
    self->timer_.cancel();
    beast::get_lowest_layer(self->stream_).socket().shutdown(tcp::socket::shutdown_both, ec);
    beast::get_lowest_layer(self->stream_).close();
  });
}

bool api_session::is_watch() const {
  return watch_id_.load() != 0;
}

void api_session::read_request() {
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

bool api_session::authenticated() {
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

void api_session::on_request() {
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

void api_session::dispatch() {
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
  if (auto code
      = r.method() == http::verb::get ? server_->faults->list_refusal_for(target) : std::nullopt) {
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
  if (r.method() == http::verb::post && is_token_review(target)) {
    auto mode = server_->faults->token_reviews.load();
    if (mode == token_review_fault::stall) { // held: look again shortly, served once cleared
      server_->faults->held_token_reviews.fetch_add(1);
      timer_.expires_after(std::chrono::milliseconds{50});
      timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
        if (!ec)
          self->dispatch();
      });
      return;
    }
    if (mode == token_review_fault::fail) {
      respond(error_response({500,
                              "InternalError",
                              "Internal error occurred: tokenreview injected by kube-sim",
                              {},
                              {}}));
      return;
    }
  }
  if (server_->faults->gateway_api_missing.load()
      && target.starts_with("/apis/gateway.networking.k8s.io")) {
    respond(error_response(
        {404, "NotFound", "the server could not find the requested resource", {}, {}}));
    return;
  }
  api_request ar{std::string{r.method_string()}, target, std::string{r[http::field::content_type]},
                 std::move(r.body())};
  auto outcome
      = handle_api_request(*server_->data, ar, "127.0.0.1:" + std::to_string(server_->bound_port),
                           server_->tokens.get());
  if (auto* resp = std::get_if<api_response>(&outcome))
    respond(std::move(*resp));
  else
    start_watch(std::get<watch_request>(std::move(outcome)));
}

void api_session::respond(api_response resp, bool retry_after) {
  auto res = std::make_shared<http::response<http::string_body>>(
      static_cast<http::status>(resp.status), 11);
  res->set(http::field::content_type, resp.content_type);
  res->set(http::field::cache_control, "no-cache, private");
  if (retry_after)
    res->set(http::field::retry_after, "1");
  res->keep_alive(keep_alive_);
  res->body() = std::move(resp.body);
  res->prepare_payload();
  http::async_write(stream_, *res, [self = shared_from_this(), res](beast::error_code ec, size_t) {
    if (!ec)
      self->after_response();
  });
}

void api_session::after_response() {
  if (keep_alive_)
    read_request();
  else
    shutdown();
}

void api_session::shutdown() {
  beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds{5});
  stream_.async_shutdown([self = shared_from_this()](beast::error_code) {
    beast::get_lowest_layer(self->stream_).close();
  });
}

} // namespace ambient::sim
