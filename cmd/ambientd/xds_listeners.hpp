#pragma once

#include <memory>
#include <string>
#include <variant>

#include <boost/asio/thread_pool.hpp>
#include <caf/actor.hpp>
#include <grpcpp/grpcpp.h>

#include "cmd/ambientd/ca_setup.hpp"
#include "cmd/ambientd/options.hpp"
#include "xds/ads_server.hpp"
#include "xds/ca_service.hpp"

namespace ambient::cmd {

/// ambientd's ADS listeners: plaintext on --xds-address, TLS on --xds-tls-address, one service for
/// both (a plaintext peer is not authenticated, as on istiod's 15010; a TLS peer proves an allowed
/// SPIFFE ID with its client certificate or a service-account token the token reviewer checks),
/// every stream's events sent to the xDS publisher.
struct xds_listeners {
  /// Where certificates are signed, off the threads that deliver verdicts (one thread per core);
  /// declared first so it goes last, after the server whose calls it finishes.
  std::unique_ptr<boost::asio::thread_pool> signing;
  std::unique_ptr<xds::ads_service> service; ///< outlives the server
  std::unique_ptr<xds::ca_service> ca;       ///< the Istio CA on the TLS listener (optional)
  std::unique_ptr<grpc::Server> server;
  int port = 0;                    ///< the plaintext port bound (0: none)
  int tls_port = 0;                ///< the mTLS port bound (0: none)
  std::string allowed_description; ///< for the start-up log
};

/// Builds and starts the listeners the options ask for, and logs where they listen. With `ca`, the
/// TLS listener also serves CreateCertificate and, when the CA issued one, its certificate. A
/// string is a start-up error: a bad allow-list, unreadable TLS files, or an address that cannot be
/// bound.
std::variant<xds_listeners, std::string> start_xds_listeners(const ambientd_options& opts,
                                                             const caf::actor& publisher,
                                                             const caf::actor& token_reviewer,
                                                             const caf::actor& aggregator,
                                                             const ca_setup* ca);

} // namespace ambient::cmd
