#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>

#include "sim/api_server.hpp"
#include "sim/request_log.hpp"

namespace ambient::sim {

class api_session;

/// Shared state of an API server, kept alive by every session: what its sessions read (store,
/// credentials, faults, options) and what the server keeps track of (acceptor, sessions, watches).
struct api_server::impl : std::enable_shared_from_this<api_server::impl> {
  impl(boost::asio::io_context& io_, std::shared_ptr<store> s, std::shared_ptr<credentials> c,
       std::shared_ptr<fault_state> f, std::shared_ptr<const token_signer> t, tls_material tls,
       api_server_options o)
    : io(io_), data(std::move(s)), creds(std::move(c)), faults(std::move(f)), tokens(std::move(t)),
      tls_ctx(make_tls_context(tls)), opts(o) {
    // nop
  }

  /// Accepts the next connection and starts a session on it; loops until the acceptor closes.
  void accept_loop();
  /// Keeps a weak reference to a new session (and forgets the ended ones).
  void track(const std::shared_ptr<api_session>& s);
  /// The sessions still alive.
  std::vector<std::shared_ptr<api_session>> sessions_snapshot();

  boost::asio::io_context& io;
  std::shared_ptr<store> data;
  std::shared_ptr<credentials> creds;
  std::shared_ptr<fault_state> faults;
  std::shared_ptr<const token_signer> tokens; ///< the cluster's service-account token signer
  std::mutex mutex;                           // guards tls_ctx, acceptor, sessions
  std::shared_ptr<boost::asio::ssl::context> tls_ctx;
  api_server_options opts;
  std::unique_ptr<boost::asio::ip::tcp::acceptor> acceptor;
  /// While stopped: a socket bound to the port without listening, so connections are refused
  /// and the kernel cannot hand the port to an outgoing connection before start() takes it back.
  std::unique_ptr<boost::asio::ip::tcp::socket> placeholder;
  std::atomic<uint16_t> bound_port{0}; // set by start() on the caller's thread, read by sessions
  std::map<api_session*, std::weak_ptr<api_session>> sessions;
  std::atomic<size_t> watches{0};
  request_log requests;
};

} // namespace ambient::sim
