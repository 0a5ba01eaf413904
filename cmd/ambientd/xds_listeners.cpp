#include "cmd/ambientd/xds_listeners.hpp"

#include <chrono>
#include <stdexcept>
#include <thread>

#include <boost/asio/post.hpp>

#include <caf/send.hpp>

#include "actors/xds_publisher.hpp"
#include "messages/type_ids.hpp"
#include "telemetry/log.hpp"
#include "xds/node_authorizer.hpp"
#include "xds/peer_identity.hpp"
#include "xds/server_credentials.hpp"

namespace ambient::cmd {

std::variant<xds_listeners, std::string> start_xds_listeners(const ambientd_options& opts,
                                                             const caf::actor& publisher,
                                                             const caf::actor& token_reviewer,
                                                             const caf::actor& aggregator,
                                                             const ca_setup* ca) {
  xds::spiffe_allow_list allowed;
  try {
    allowed = xds::spiffe_allow_list::parse(opts.xds_allowed_spiffe_ids);
  } catch (const std::invalid_argument& e) {
    return std::string{"--xds-allowed-spiffe-ids: "} + e.what();
  }
  std::set<std::string> trusted;
  try {
    trusted = xds::parse_trusted_node_accounts(opts.ca_trusted_node_accounts);
  } catch (const std::invalid_argument& e) {
    return std::string{"--ca-trusted-node-accounts: "} + e.what();
  }
  std::shared_ptr<grpc::ServerCredentials> tls_creds;
  if (!opts.xds_tls_address.empty()) {
    auto files = ca && ca->serving
                     ? *ca->serving
                     : xds::tls_files{opts.xds_tls_cert, opts.xds_tls_key, opts.xds_client_ca};
    auto made = xds::make_server_credentials(
        files, std::chrono::duration_cast<std::chrono::seconds>(opts.xds_tls_reload),
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
  xds::token_authenticator tokens = [token_reviewer](const xds::call_credentials& creds,
                                                     std::function<void(xds::token_verdict)> done) {
    caf::anon_send(token_reviewer, messages::token_review_ask{creds, std::move(done)});
  };
  xds::caller_authenticator authenticator{allowed, tokens};
  out.service = std::make_unique<xds::ads_service>(actors::forward_to(publisher), authenticator);
  if (ca && tls_creds)
    out.signing = std::make_unique<boost::asio::thread_pool>(
        std::max(1U, std::thread::hardware_concurrency()));
  if (ca && tls_creds)
    out.ca = std::make_unique<xds::ca_service>(
        authenticator, ca->signer,
        [trusted, aggregator](const xds::caller_verdict& caller, const std::string& wanted,
                              std::function<void(std::string)> done) {
          auto query = xds::impersonation_query_for(caller, wanted, trusted);
          if (auto* refusal = std::get_if<std::string>(&query))
            return done(*refusal);
          caf::anon_send(aggregator,
                         messages::impersonation_ask{std::get<mesh::impersonation_query>(query),
                                                     std::move(done)});
        },
        std::make_shared<xds::ca_metrics>(telemetry::default_registry()),
        [pool = out.signing.get()](std::function<void()> work) {
          boost::asio::post(*pool, std::move(work));
        });
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
  if (out.ca)
    builder.RegisterService(out.ca.get());
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
