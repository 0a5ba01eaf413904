// The TLS listener's admission of callers that bring a service-account token instead of a client
// certificate (ztunnel): the stream reads nothing until the token's verdict arrives, which may come
// late, after the client has gone, or refuse; and the first request's node must match the identity.
#include <catch2/catch.hpp>

#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <mutex>

#include <caf/all.hpp>
#include <grpcpp/grpcpp.h>

#include "actors/xds_publisher.hpp"
#include "envoy/service/discovery/v3/ads.grpc.pb.h"
#include "messages/type_ids.hpp"
#include "sim/pki.hpp"
#include "support/actor_fixture.hpp"
#include "support/eventually.hpp"
#include "support/tls_listener_files.hpp"
#include "support/xds_server.hpp"
#include "xds/caller_authenticator.hpp"
#include "xds/server_credentials.hpp"
#include "xds/type_urls.hpp"

using namespace ambient;
using namespace std::chrono_literals;
using envoy::service::discovery::v3::AggregatedDiscoveryService;
using envoy::service::discovery::v3::DeltaDiscoveryRequest;
using envoy::service::discovery::v3::DeltaDiscoveryResponse;

namespace {

constexpr const char* ztunnel_id = "spiffe://cluster.local/ns/istio-system/sa/ztunnel";

/// Token reviews held until the test answers them.
struct held_reviews {
  std::mutex mutex;
  std::condition_variable arrived;
  std::vector<std::pair<xds::call_credentials, std::function<void(xds::token_verdict)>>> pending;

  xds::token_authenticator authenticator() {
    return [this](const xds::call_credentials& c, std::function<void(xds::token_verdict)> done) {
      std::lock_guard guard{mutex};
      pending.emplace_back(c, std::move(done));
      arrived.notify_all();
    };
  }

  /// Waits for the next review and takes it.
  std::pair<xds::call_credentials, std::function<void(xds::token_verdict)>> next() {
    std::unique_lock lock{mutex};
    REQUIRE(arrived.wait_for(lock, 10s, [&] { return !pending.empty(); }));
    auto out = std::move(pending.front());
    pending.erase(pending.begin());
    return out;
  }
};

/// The publisher behind a TLS port (server certificate for "localhost" from `ca`) whose token
/// reviews the test answers.
struct token_fixture : test::live_actor_fixture {
  telemetry::registry metrics;
  caf::actor publisher
      = sys.spawn(actors::xds_publisher_impl, actors::xds_publisher_config{&metrics, {}});
  sim::certificate_authority ca = sim::certificate_authority::create("mesh-ca");
  std::filesystem::path dir
      = std::filesystem::temp_directory_path() / ("ambientd-token-" + std::to_string(::getpid()));
  held_reviews reviews;
  std::unique_ptr<xds::ads_service> service;
  std::unique_ptr<grpc::Server> server;
  int tls_port = 0;

  token_fixture() {
    std::filesystem::create_directories(dir);
    auto made = test::localhost_credentials(ca, dir, 1s);
    REQUIRE(made.error.empty());
    service = std::make_unique<xds::ads_service>(
        actors::forward_to(publisher),
        xds::caller_authenticator{xds::spiffe_allow_list{}, reviews.authenticator()});
    grpc::ServerBuilder b;
    b.AddListeningPort("127.0.0.1:0", made.creds, &tls_port);
    b.RegisterService(service.get());
    server = b.BuildAndStart();
    REQUIRE(server);
  }

  ~token_fixture() {
    test::stop_server_and_publisher(sys, *server, publisher);
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }

  /// A channel as ztunnel opens it: TLS verifying the server, no client certificate.
  std::shared_ptr<grpc::Channel> channel() {
    grpc::SslCredentialsOptions o;
    o.pem_root_certs = ca.cert_pem();
    grpc::ChannelArguments args;
    args.SetSslTargetNameOverride("localhost");
    return grpc::CreateCustomChannel("127.0.0.1:" + std::to_string(tls_port),
                                     grpc::SslCredentials(o), args);
  }
};

/// A delta stream with ztunnel's metadata.
struct token_client {
  std::unique_ptr<AggregatedDiscoveryService::Stub> stub;
  grpc::ClientContext ctx;
  std::unique_ptr<grpc::ClientReaderWriter<DeltaDiscoveryRequest, DeltaDiscoveryResponse>> stream;

  token_client(const std::shared_ptr<grpc::Channel>& channel, const std::string& cluster)
    : stub(AggregatedDiscoveryService::NewStub(channel)) {
    ctx.set_deadline(std::chrono::system_clock::now() + 20s);
    ctx.AddMetadata("authorization", "Bearer header.payload.signature");
    ctx.AddMetadata("clusterid", cluster);
    stream = stub->DeltaAggregatedResources(&ctx);
  }

  bool send(const std::string& node_namespace) {
    DeltaDiscoveryRequest r;
    r.set_type_url(std::string{xds::address_type_url});
    r.mutable_node()->set_id(
        "ztunnel~10.0.0.5~ztunnel-x.istio-system~istio-system.svc.cluster.local");
    (*r.mutable_node()->mutable_metadata()->mutable_fields())["NAMESPACE"].set_string_value(
        node_namespace);
    return stream->Write(r);
  }
};

} // namespace

TEST_CASE_METHOD(token_fixture,
                 "a token caller is served only once its review admits it and passes the node "
                 "check",
                 "[actors][integration]") {
  token_client c{channel(), "cluster-2"};
  REQUIRE(c.send("istio-system"));
  auto [creds, done] = reviews.next();
  CHECK(creds.authorization == std::vector<std::string>{"Bearer header.payload.signature"});
  CHECK(creds.cluster_ids == std::vector<std::string>{"cluster-2"});
  CHECK_FALSE(creds.cert_pem);
  done({"", ztunnel_id, "cluster-2", "ztunnel-x", "uid"});
  DeltaDiscoveryResponse r;
  REQUIRE(c.stream->Read(&r)); // the first request was held, then answered
  CHECK(r.type_url() == xds::address_type_url);
}

TEST_CASE_METHOD(token_fixture, "a refused token ends the stream unauthenticated",
                 "[actors][integration]") {
  token_client c{channel(), "cluster-2"};
  c.send("istio-system");
  auto [creds, done] = reviews.next();
  done({"token review by cluster cluster-2 refused the token: expired", "", "", "", ""});
  DeltaDiscoveryResponse r;
  CHECK_FALSE(c.stream->Read(&r));
  auto status = c.stream->Finish();
  CHECK(status.error_code() == grpc::StatusCode::UNAUTHENTICATED);
  CHECK_THAT(status.error_message(), Catch::Contains("expired"));
}

TEST_CASE_METHOD(token_fixture, "a node that claims another namespace than its token is denied",
                 "[actors][integration]") {
  token_client c{channel(), "cluster-2"};
  c.send("bookinfo");
  auto [creds, done] = reviews.next();
  done({"", ztunnel_id, "cluster-2", "", ""});
  DeltaDiscoveryResponse r;
  CHECK_FALSE(c.stream->Read(&r));
  auto status = c.stream->Finish();
  CHECK(status.error_code() == grpc::StatusCode::PERMISSION_DENIED);
  CHECK_THAT(status.error_message(), Catch::Contains("authorization failed"));
}

TEST_CASE_METHOD(token_fixture,
                 "a verdict that arrives after the client has gone touches nothing and other "
                 "streams carry on",
                 "[actors][integration]") {
  std::function<void(xds::token_verdict)> late;
  {
    token_client gone{channel(), "cluster-2"};
    gone.send("istio-system");
    late = reviews.next().second;
    gone.ctx.TryCancel();
    gone.stream->Finish();
  }
  // The stream ends on the server once the cancellation arrives; give it the time it needs.
  std::this_thread::sleep_for(200ms);
  late({"", ztunnel_id, "cluster-2", "", ""}); // must not reach the deleted stream
  token_client c{channel(), "cluster-2"};
  c.send("istio-system");
  reviews.next().second({"", ztunnel_id, "cluster-2", "", ""});
  DeltaDiscoveryResponse r;
  CHECK(c.stream->Read(&r));
}
