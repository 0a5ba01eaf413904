#include "cmd/ambientd/xds_listeners.hpp"

#include <chrono>
#include <stdexcept>

#include "actors/xds_publisher.hpp"
#include "telemetry/log.hpp"
#include "xds/peer_identity.hpp"
#include "xds/server_credentials.hpp"

namespace ambient::cmd {

std::variant<xds_listeners, std::string> start_xds_listeners(const ambientd_options& opts,
                                                             const caf::actor& publisher) {
  xds::spiffe_allow_list allowed;
  try {
    allowed = xds::spiffe_allow_list::parse(opts.xds_allowed_spiffe_ids);
  } catch (const std::invalid_argument& e) {
    return std::string{"--xds-allowed-spiffe-ids: "} + e.what();
  }
  std::shared_ptr<grpc::ServerCredentials> tls_creds;
  if (!opts.xds_tls_address.empty()) {
    auto made = xds::make_server_credentials(
        {opts.xds_tls_cert, opts.xds_tls_key, opts.xds_client_ca},
        std::chrono::duration_cast<std::chrono::seconds>(opts.xds_tls_reload),
        opts.xds_client_cert == "required" ? xds::client_certificates::required
                                           : xds::client_certificates::optional);
    if (!made.error.empty())
      return "--xds-tls-address " + opts.xds_tls_address + ": " + made.error;
    tls_creds = made.creds;
  }
  xds_listeners out;
  out.allowed_description
      = allowed.empty() ? std::string{"any from the client CA"} : opts.xds_allowed_spiffe_ids;
  // One service serves both listeners: the plaintext one has no TLS, so the authenticator lets
  // its callers in unauthenticated, as istiod's 15010 does.
  out.service = std::make_unique<xds::ads_service>(actors::forward_to(publisher),
                                                   xds::caller_authenticator{allowed, {}});
  grpc::ServerBuilder builder;
  // ztunnel pings every 30s, idle or not (HTTP/2 keepalive): accept pings down to 15s apart, as
  // istiod's gRPC server does, instead of gRPC's 5 minutes and a GOAWAY after two.
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS, 15'000);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  if (!opts.xds_address.empty())
    builder.AddListeningPort(opts.xds_address, grpc::InsecureServerCredentials(), &out.port);
  if (tls_creds)
    builder.AddListeningPort(opts.xds_tls_address, tls_creds, &out.tls_port);
  builder.RegisterService(out.service.get());
  out.server = builder.BuildAndStart();
  auto refused = [&](const std::string& address, int port) {
    return !address.empty() && (!out.server || port == 0);
  };
  if (refused(opts.xds_address, out.port))
    return "--xds-address " + opts.xds_address + ": cannot listen there";
  if (refused(opts.xds_tls_address, out.tls_port))
    return "--xds-tls-address " + opts.xds_tls_address + ": cannot listen there";
  auto log = telemetry::make_logger("ambientd");
  if (out.port != 0)
    log->info("serving ADS on {} (port {})", opts.xds_address, out.port);
  if (out.tls_port != 0)
    log->info("serving ADS with mTLS on {} (port {}), client certificates {}, allowed SPIFFE "
              "IDs: {}",
              opts.xds_tls_address, out.tls_port, opts.xds_client_cert, out.allowed_description);
  return out;
}

} // namespace ambient::cmd
