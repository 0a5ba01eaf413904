#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "sim/credentials.hpp"
#include "sim/faults.hpp"
#include "sim/service_account_tokens.hpp"
#include "sim/store.hpp"
#include "sim/tls_context.hpp"

namespace ambient::sim {

/// Settings of one API server.
struct api_server_options {
  std::chrono::milliseconds bookmark_interval{std::chrono::seconds{60}};
  size_t max_body_bytes = 64u << 20;
};

/// One cluster's Kubernetes API endpoint: HTTPS on 127.0.0.1, HTTP/1.1 with keep-alive, chunked
/// watch streams, bearer-token and client-certificate authentication, the service-account token
/// endpoints signed by `tokens`, and the fault menu applied at the connection level. Runs on the
/// io_context's threads.
class api_server : public std::enable_shared_from_this<api_server> {
public:
  api_server(boost::asio::io_context& io, std::shared_ptr<store> data,
             std::shared_ptr<credentials> creds, std::shared_ptr<fault_state> faults,
             std::shared_ptr<const token_signer> tokens, tls_material tls, api_server_options opts);
  ~api_server();

  /// Listens on 127.0.0.1:`port` (0 picks one); returns the bound port. Throws on failure.
  uint16_t start(uint16_t port);
  /// Stops accepting and drops every connection (the cluster is "down": connections are refused).
  /// The port stays reserved (bound, not listening), so start() on it again always succeeds.
  void stop();
  bool running() const;
  /// Closes every open watch stream abruptly (the TCP connection is cut).
  void cut_watches();
  /// Serves new connections with new TLS material (CA rotation); open connections keep theirs.
  void set_tls(const tls_material& tls);
  uint16_t port() const;
  size_t open_watches() const;
  /// The last 10,000 requests but health checks as "METHOD target" (query string included), oldest
  /// first: what a client asked for, so a test can observe the path it took (paged or not, at
  /// which version), not only where it ended.
  std::vector<std::string> requests() const;

  struct impl;

private:
  std::shared_ptr<impl> impl_;
};

} // namespace ambient::sim
