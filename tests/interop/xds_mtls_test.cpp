// The ambientd binary's mTLS xDS listener on a kube-sim fleet: --xds-tls-address with
// --xds-client-ca and --xds-allowed-spiffe-ids serves an allowed SPIFFE identity and refuses an
// unlisted one, a certificate without a SPIFFE ID and one from a foreign CA, while the plaintext
// listener keeps serving; --xds-tls-reload picks up rotated files without a restart.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <thread>

#include <grpcpp/grpcpp.h>

#include "sim/pki.hpp"
#include "sim/workload.hpp"
#include "support/ambientd_harness.hpp"
#include "support/delta_client.hpp"

using namespace ambient;
using namespace std::chrono_literals;

namespace {

/// Writes `text` to `p` atomically (a rename), so the reloading listener never reads half a file.
void write_atomically(const std::filesystem::path& p, const std::string& text) {
  auto tmp = p;
  tmp += ".tmp";
  std::ofstream{tmp} << text;
  std::filesystem::rename(tmp, p);
}

/// The serving certificate, key and client CA ambientd reads, issued by `ca`.
void write_tls_files(const std::filesystem::path& dir, const sim::certificate_authority& ca) {
  auto serving = ca.issue_server("ambientd", {"localhost"}, {"127.0.0.1"});
  write_atomically(dir / "key.pem", serving.key_pem);
  write_atomically(dir / "cert.pem", serving.cert_pem);
  write_atomically(dir / "ca.pem", ca.cert_pem());
}

/// A channel of its own (no shared subchannel, so a fresh TLS handshake) to ambientd's mTLS port,
/// trusting `root` and presenting `client`.
std::shared_ptr<grpc::Channel> tls_channel(int port, const std::string& root,
                                           const sim::cert_and_key& client) {
  grpc::SslCredentialsOptions o;
  o.pem_root_certs = root;
  o.pem_private_key = client.key_pem;
  o.pem_cert_chain = client.cert_pem;
  grpc::ChannelArguments args;
  args.SetSslTargetNameOverride("localhost");
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  return grpc::CreateCustomChannel("127.0.0.1:" + std::to_string(port), grpc::SslCredentials(o),
                                   args);
}

/// What a wildcard Address subscription on `channel` gets: the first response's resource count,
/// or the status the server ended the stream with.
struct outcome {
  bool served = false;
  int resources = 0;
  grpc::Status status;
};

outcome subscribe(std::shared_ptr<grpc::Channel> channel) {
  test::delta_client c{std::move(channel)};
  c.ctx.set_deadline(std::chrono::system_clock::now() + 20s);
  // A refused stream may already be closed when the request goes out: the write may fail, and
  // the status says why.
  envoy::service::discovery::v3::DeltaDiscoveryRequest q;
  q.set_type_url(test::address_type);
  q.add_resource_names_subscribe("*");
  c.stream->Write(q);
  envoy::service::discovery::v3::DeltaDiscoveryResponse r;
  outcome out;
  if (c.stream->Read(&r)) {
    out.served = true;
    out.resources = r.resources_size();
    c.ctx.TryCancel();
  }
  c.stream->WritesDone();
  out.status = c.stream->Finish();
  return out;
}

} // namespace

TEST_CASE("ambientd's mTLS listener serves allowed SPIFFE IDs only, plaintext still serves, and "
          "rotated files are picked up",
          "[interop]") {
  test::ambientd_harness h{1, "ambientd-mtls"};
  h.seed(0, {1, 1, 2, 4, true});
  auto ca = sim::certificate_authority::create("mesh-ca");
  auto tls = h.dir.path / "tls";
  std::filesystem::create_directories(tls);
  write_tls_files(tls, ca);
  h.start({"--xds-tls-address", "127.0.0.1:0", "--xds-tls-cert", (tls / "cert.pem").string(),
           "--xds-tls-key", (tls / "key.pem").string(), "--xds-client-ca",
           (tls / "ca.pem").string(), "--xds-allowed-spiffe-ids",
           "spiffe://cluster.local/ns/istio-system/sa/ztunnel", "--xds-tls-reload", "1s"});
  auto port = h.ambientd->wait_log(
      std::regex{R"(serving ADS with mTLS on 127\.0\.0\.1:0 \(port (\d+)\))"}, 20s);
  REQUIRE(port);
  const int tls_port = std::stoi(*port);
  auto total = h.ambientd->wait_log(
      std::regex{R"(merged view: clusters \[cluster-1\], (\d+) resources)"}, 30s);
  REQUIRE(total);
  const std::string ztunnel = "spiffe://cluster.local/ns/istio-system/sa/ztunnel";

  auto allowed = subscribe(tls_channel(tls_port, ca.cert_pem(), ca.issue_workload("", {ztunnel})));
  CHECK(allowed.served);
  CHECK(allowed.resources == std::stoi(*total));

  auto unlisted = subscribe(tls_channel(
      tls_port, ca.cert_pem(), ca.issue_workload("", {"spiffe://cluster.local/ns/app/sa/web"})));
  CHECK_FALSE(unlisted.served);
  CHECK(unlisted.status.error_code() == grpc::StatusCode::PERMISSION_DENIED);
  CHECK_THAT(unlisted.status.error_message(),
             Catch::Contains("spiffe://cluster.local/ns/app/sa/web"));

  auto no_san = subscribe(tls_channel(tls_port, ca.cert_pem(), ca.issue_client("ztunnel", {})));
  CHECK_FALSE(no_san.served);
  CHECK(no_san.status.error_code() == grpc::StatusCode::UNAUTHENTICATED);

  auto foreign_ca = sim::certificate_authority::create("foreign-ca");
  auto foreign
      = subscribe(tls_channel(tls_port, ca.cert_pem(), foreign_ca.issue_workload("", {ztunnel})));
  CHECK_FALSE(foreign.served);
  CHECK(foreign.status.error_code() == grpc::StatusCode::UNAVAILABLE);

  auto plain = subscribe(grpc::CreateChannel(h.xds_target(), grpc::InsecureChannelCredentials()));
  CHECK(plain.served);
  CHECK(plain.resources == std::stoi(*total));

  // Rotation: a new CA signs the serving certificate and is the only client CA. Until the
  // listener re-reads its files a client of the new CA fails; after, it is served and a client
  // of the old CA is refused. The process is the same one throughout.
  auto rotated = sim::certificate_authority::create("mesh-ca-2");
  write_tls_files(tls, rotated);
  outcome after;
  for (int i = 0; i < 60 && !after.served; ++i) {
    after = subscribe(
        tls_channel(tls_port, rotated.cert_pem(), rotated.issue_workload("", {ztunnel})));
    if (!after.served)
      std::this_thread::sleep_for(500ms);
  }
  CHECK(after.served);
  CHECK(after.resources == std::stoi(*total));
  auto old = subscribe(tls_channel(tls_port, ca.cert_pem(), ca.issue_workload("", {ztunnel})));
  CHECK_FALSE(old.served);
  CHECK(h.ambientd->running()); // the same process: rotated, not restarted
  CHECK(h.ambientd->stop() == 0);
}
