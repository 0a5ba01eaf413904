// The xds_publisher behind gRPC for state-of-the-world ADS (what proxyless gRPC speaks), its
// metrics, and the mTLS listener's peer checks.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <thread>

#include <caf/all.hpp>
#include <grpcpp/grpcpp.h>

#include "actors/xds_publisher.hpp"
#include "envoy/config/listener/v3/listener.pb.h"
#include "envoy/service/discovery/v3/ads.grpc.pb.h"
#include "mesh/context.hpp"
#include "messages/type_ids.hpp"
#include "sim/pki.hpp"
#include "support/actor_fixture.hpp"
#include "support/tls_listener_files.hpp"
#include "support/xds_server.hpp"
#include "xds/peer_identity.hpp"
#include "xds/server_credentials.hpp"
#include "xds/type_urls.hpp"

using namespace ambient;
using namespace std::chrono_literals;
using envoy::service::discovery::v3::AggregatedDiscoveryService;
using envoy::service::discovery::v3::DiscoveryRequest;
using envoy::service::discovery::v3::DiscoveryResponse;

namespace {

mesh::address_ptr echo_service() {
  istio::workload::Address a;
  auto* s = a.mutable_service();
  s->set_name("echo");
  s->set_namespace_("demo");
  s->set_hostname("echo.demo.svc.cluster.local");
  auto* na = s->add_addresses();
  na->set_network("net1");
  na->set_address(*mesh::ip_bytes("172.16.0.10"));
  auto* p = s->add_ports();
  p->set_service_port(7070);
  p->set_target_port(8080);
  return mesh::make_resource("demo/echo.demo.svc.cluster.local", std::move(a));
}

mesh::address_ptr echo_pod(const std::string& name, const std::string& ip) {
  istio::workload::Address a;
  auto* w = a.mutable_workload();
  w->set_uid("c1//Pod/demo/" + name);
  w->set_name(name);
  w->set_namespace_("demo");
  w->set_network("net1");
  w->set_cluster_id("c1");
  w->add_addresses(*mesh::ip_bytes(ip));
  (*w->mutable_services())["demo/echo.demo.svc.cluster.local"].add_ports()->set_service_port(7070);
  return mesh::make_resource(w->uid(), std::move(a));
}

messages::mesh_delta_ptr delta(uint64_t version, std::vector<mesh::address_ptr> up) {
  auto d = std::make_shared<mesh::mesh_delta>();
  d->version = version;
  d->upserted = std::move(up);
  return d;
}

/// The publisher behind one gRPC server with a plaintext port and an mTLS port (server
/// certificate for "localhost" from `ca`, clients verified against `ca`, SPIFFE allow-list).
struct sotw_fixture : test::live_actor_fixture {
  telemetry::registry metrics;
  caf::actor publisher
      = sys.spawn(actors::xds_publisher_impl, actors::xds_publisher_config{&metrics, {}});
  sim::certificate_authority ca = sim::certificate_authority::create("mesh-ca");
  std::filesystem::path dir
      = std::filesystem::temp_directory_path() / ("ambientd-mtls-" + std::to_string(::getpid()));
  std::unique_ptr<xds::ads_service> service;
  std::unique_ptr<grpc::Server> server;
  int port = 0;
  int tls_port = 0;

  sotw_fixture() {
    std::filesystem::create_directories(dir);
    auto made = test::localhost_credentials(ca, dir, 1s);
    REQUIRE(made.error.empty());
    auto allowed = xds::spiffe_allow_list::parse("spiffe://cluster.local/ns/echo/sa/client, "
                                                 "spiffe://cluster.local/ns/istio-system/*");
    service = std::make_unique<xds::ads_service>(actors::forward_to(publisher),
                                                 xds::caller_authenticator{allowed, {}});
    grpc::ServerBuilder b;
    b.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
    b.AddListeningPort("127.0.0.1:0", made.creds, &tls_port);
    b.RegisterService(service.get());
    server = b.BuildAndStart();
    REQUIRE(server);
    REQUIRE(port > 0);
    REQUIRE(tls_port > 0);
  }

  ~sotw_fixture() {
    test::stop_server_and_publisher(sys, *server, publisher);
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }

  /// Waits for the publisher to have handled everything sent so far.
  void sync() {
    caf::scoped_actor self{sys};
    self->request(publisher, 5s, atom::status_v)
        .receive([](size_t) {}, [&](const caf::error& e) { FAIL(caf::to_string(e)); });
  }

  std::shared_ptr<grpc::Channel> tls_channel(const sim::cert_and_key& client) {
    grpc::SslCredentialsOptions o;
    o.pem_root_certs = ca.cert_pem();
    o.pem_private_key = client.key_pem;
    o.pem_cert_chain = client.cert_pem;
    grpc::ChannelArguments args;
    args.SetSslTargetNameOverride("localhost");
    return grpc::CreateCustomChannel("127.0.0.1:" + std::to_string(tls_port),
                                     grpc::SslCredentials(o), args);
  }
};

/// A SotW ADS client stream with a deadline.
struct sotw_client {
  std::unique_ptr<AggregatedDiscoveryService::Stub> stub;
  grpc::ClientContext ctx;
  std::unique_ptr<grpc::ClientReaderWriter<DiscoveryRequest, DiscoveryResponse>> stream;

  explicit sotw_client(const std::shared_ptr<grpc::Channel>& channel)
    : stub(AggregatedDiscoveryService::NewStub(channel)) {
    ctx.set_deadline(std::chrono::system_clock::now() + 20s);
    stream = stub->StreamAggregatedResources(&ctx);
  }

  bool send(std::string_view type_url, std::vector<std::string> names,
            const std::string& nonce = "", const std::string& version = "",
            const std::string& error = "") {
    DiscoveryRequest r;
    r.set_type_url(std::string{type_url});
    for (auto& n : names)
      r.add_resource_names(n);
    r.set_response_nonce(nonce);
    r.set_version_info(version);
    if (!error.empty()) {
      r.mutable_error_detail()->set_code(3);
      r.mutable_error_detail()->set_message(error);
    }
    return stream->Write(r);
  }

  DiscoveryResponse read() {
    DiscoveryResponse r;
    REQUIRE(stream->Read(&r));
    return r;
  }
};

} // namespace

TEST_CASE_METHOD(sotw_fixture,
                 "a SotW stream gets the proxyless listener, updates, and its NACK is counted",
                 "[actors][integration]") {
  caf::anon_send(publisher, delta(1, {echo_service(), echo_pod("a", "10.0.0.1")}));
  sotw_client c{
      grpc::CreateChannel("127.0.0.1:" + std::to_string(port), grpc::InsecureChannelCredentials())};
  REQUIRE(c.send(xds::listener_type_url, {"echo.demo.svc.cluster.local:7070"}));
  auto lds = c.read();
  CHECK(lds.type_url() == xds::listener_type_url);
  CHECK(lds.version_info() == "1");
  REQUIRE(lds.resources_size() == 1);
  envoy::config::listener::v3::Listener l;
  REQUIRE(lds.resources(0).UnpackTo(&l));
  CHECK(l.name() == "echo.demo.svc.cluster.local:7070");
  CHECK(l.has_api_listener());
  REQUIRE(c.send(xds::listener_type_url, {"echo.demo.svc.cluster.local:7070"}, lds.nonce(), "1"));

  REQUIRE(c.send(xds::endpoint_type_url, {"outbound|7070||echo.demo.svc.cluster.local"}));
  auto eds = c.read();
  CHECK(eds.type_url() == xds::endpoint_type_url);
  REQUIRE(eds.resources_size() == 1);
  // A NACK is counted by type, and newer versions still flow.
  REQUIRE(c.send(xds::endpoint_type_url, {"outbound|7070||echo.demo.svc.cluster.local"},
                 eds.nonce(), "", "bad endpoint"));
  auto& rejects = metrics.add_counter("pilot_total_xds_rejects",
                                      "xDS responses rejected (NACKed) by clients, by type.",
                                      {{"type", "eds"}});
  // (The NACK must arrive before the next response is sent, or it is stale and not counted.)
  for (int i = 0; i < 500 && rejects.value() == 0; ++i)
    std::this_thread::sleep_for(20ms);
  CHECK(rejects.value() == 1);
  caf::anon_send(publisher, delta(2, {echo_pod("b", "10.0.0.2")}));
  auto eds2 = c.read();
  CHECK(eds2.version_info() == "2");
  CHECK(eds2.nonce() != eds.nonce());
  // An unknown type is refused with a log line and a count; the stream stays.
  REQUIRE(c.send("type.googleapis.com/no.such.Type", {}));
  // The client's write completing does not mean the server has read it: wait for the count.
  auto& unknown = metrics.add_counter("ambientd_xds_unknown_type_requests_total",
                                      "xDS requests for a type URL ambientd does not serve.");
  for (int i = 0; i < 500 && unknown.value() == 0; ++i)
    std::this_thread::sleep_for(20ms);
  sync();
  CHECK(unknown.value() == 1);
  auto text = metrics.encode();
  CHECK_THAT(text, Catch::Contains("pilot_xds_pushes{type=\"lds\"} 1"));
  CHECK_THAT(text, Catch::Contains("pilot_xds_pushes{type=\"eds\"} 2"));
  CHECK_THAT(text, Catch::Contains("pilot_xds 1"));
  CHECK_THAT(text, Catch::Contains("pilot_proxy_convergence_time_count 1"));
  CHECK_THAT(text, Catch::Contains("ambientd_xds_streams{type=\"eds\"} 1"));
}

TEST_CASE_METHOD(sotw_fixture, "the mTLS listener serves an allowed SPIFFE ID",
                 "[actors][integration]") {
  caf::anon_send(publisher, delta(1, {echo_service(), echo_pod("a", "10.0.0.1")}));
  for (const auto* id : {"spiffe://cluster.local/ns/echo/sa/client",
                         "spiffe://cluster.local/ns/istio-system/sa/ztunnel"}) {
    sotw_client c{tls_channel(ca.issue_workload("client", {id}))};
    REQUIRE(c.send(xds::cluster_type_url, {}));
    auto cds = c.read();
    CHECK(cds.resources_size() == 1);
  }
}

TEST_CASE_METHOD(sotw_fixture,
                 "the mTLS listener refuses a SPIFFE ID not on the list, a certificate without "
                 "one, and one from another CA",
                 "[actors][integration]") {
  caf::anon_send(publisher, delta(1, {echo_service()}));
  auto refused = [&](const sim::cert_and_key& cert) {
    sotw_client c{tls_channel(cert)};
    c.send(xds::cluster_type_url, {});
    DiscoveryResponse r;
    CHECK_FALSE(c.stream->Read(&r));
    return c.stream->Finish();
  };
  auto denied = refused(ca.issue_workload("client", {"spiffe://cluster.local/ns/other/sa/x"}));
  CHECK(denied.error_code() == grpc::StatusCode::PERMISSION_DENIED);
  CHECK_THAT(denied.error_message(), Catch::Contains("spiffe://cluster.local/ns/other/sa/x"));
  auto no_id = refused(ca.issue_client("client", {}));
  CHECK(no_id.error_code() == grpc::StatusCode::UNAUTHENTICATED);
  CHECK_THAT(no_id.error_message(), Catch::Contains("client certificate has no SPIFFE ID"));
  // istiod's 15012 asks for a certificate but does not insist: a caller without one needs a token.
  auto anonymous = refused(sim::cert_and_key{});
  CHECK(anonymous.error_code() == grpc::StatusCode::UNAUTHENTICATED);
  CHECK_THAT(anonymous.error_message(), Catch::Contains("no bearer token"));
  auto other_ca = sim::certificate_authority::create("other-ca");
  auto foreign
      = refused(other_ca.issue_workload("client", {"spiffe://cluster.local/ns/echo/sa/client"}));
  CHECK(foreign.error_code() == grpc::StatusCode::UNAVAILABLE);
  sync();
  CHECK(metrics
            .add_counter("ambientd_xds_streams_refused_total",
                         "ADS streams refused: the caller is not authenticated, not allowed, or "
                         "its node claims another identity.")
            .value()
        == 3);
  // The plaintext listener still serves.
  sotw_client plain{
      grpc::CreateChannel("127.0.0.1:" + std::to_string(port), grpc::InsecureChannelCredentials())};
  REQUIRE(plain.send(xds::cluster_type_url, {}));
  CHECK(plain.read().resources_size() == 1);
}

TEST_CASE_METHOD(sotw_fixture, "the proxyless types are served over delta ADS too",
                 "[actors][integration]") {
  using envoy::service::discovery::v3::DeltaDiscoveryRequest;
  using envoy::service::discovery::v3::DeltaDiscoveryResponse;
  caf::anon_send(publisher, delta(1, {echo_service(), echo_pod("a", "10.0.0.1")}));
  auto stub = AggregatedDiscoveryService::NewStub(
      grpc::CreateChannel("127.0.0.1:" + std::to_string(port), grpc::InsecureChannelCredentials()));
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + 20s);
  auto stream = stub->DeltaAggregatedResources(&ctx);
  DeltaDiscoveryRequest cds;
  cds.set_type_url(std::string{xds::cluster_type_url}); // wildcard: every cluster
  REQUIRE(stream->Write(cds));
  DeltaDiscoveryResponse r;
  REQUIRE(stream->Read(&r));
  CHECK(r.type_url() == xds::cluster_type_url);
  REQUIRE(r.resources_size() == 1);
  CHECK(r.resources(0).name() == "outbound|7070||echo.demo.svc.cluster.local");
  DeltaDiscoveryRequest eds;
  eds.set_type_url(std::string{xds::endpoint_type_url});
  eds.add_resource_names_subscribe("outbound|7070||echo.demo.svc.cluster.local");
  REQUIRE(stream->Write(eds));
  REQUIRE(stream->Read(&r));
  CHECK(r.type_url() == xds::endpoint_type_url);
  REQUIRE(r.resources_size() == 1);
  // A new pod changes the load assignment, delivered as a new version of it.
  auto version = r.resources(0).version();
  caf::anon_send(publisher, delta(2, {echo_pod("b", "10.0.0.2")}));
  REQUIRE(stream->Read(&r));
  CHECK(r.type_url() == xds::endpoint_type_url);
  REQUIRE(r.resources_size() == 1);
  CHECK(r.resources(0).version() != version);
}

TEST_CASE_METHOD(sotw_fixture,
                 "the mTLS listener serves a rotated certificate to new connections without a "
                 "restart",
                 "[actors][integration]") {
  caf::anon_send(publisher, delta(1, {echo_service()}));
  auto client = ca.issue_workload("client", {"spiffe://cluster.local/ns/echo/sa/client"});
  auto served_name = [&] {
    sotw_client c{tls_channel(client)};
    REQUIRE(c.send(xds::cluster_type_url, {}));
    c.read();
    auto names = c.ctx.auth_context()->FindPropertyValues("x509_common_name");
    return names.empty() ? std::string{} : std::string{names.front().data(), names.front().size()};
  };
  CHECK(served_name() == "ambientd");
  // Rotate: the new pair replaces the old one in place (each file by rename, as a Secret volume
  // update does).
  auto rotated = ca.issue_server("ambientd-rotated", {"localhost"}, {"127.0.0.1"});
  test::write_file(dir / "key.pem.new", rotated.key_pem);
  test::write_file(dir / "cert.pem.new", rotated.cert_pem);
  std::filesystem::rename(dir / "key.pem.new", dir / "key.pem");
  std::filesystem::rename(dir / "cert.pem.new", dir / "cert.pem");
  std::string now;
  for (int i = 0; i < 50 && (now = served_name()) != "ambientd-rotated"; ++i)
    std::this_thread::sleep_for(200ms);
  CHECK(now == "ambientd-rotated");
}
