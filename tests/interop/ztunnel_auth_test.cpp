// ambientd's TLS listener as a ztunnel reaches it: TLS verifying the server against the mesh root,
// no client certificate, a service-account token from kube-sim's TokenRequest and the `clusterid`
// of a remote cluster; Addresses over delta ADS and workload certificates from
// IstioCertificateService, checked with `openssl verify`. The CA is plugged in from a directory
// made with the openssl CLI (istiod's cacerts layout).
#include <catch2/catch.hpp>

#include <regex>

#include <grpcpp/grpcpp.h>

#include "envoy/service/discovery/v3/ads.grpc.pb.h"
#include "istio/security/ca.grpc.pb.h"
#include "sim/base64.hpp"
#include "support/ambientd_harness.hpp"
#include "support/eventually.hpp"
#include "support/sim_tokens.hpp"
#include "unit/ca/openssl_cli.hpp"

using namespace ambient;
using namespace std::chrono_literals;
using Catch::Matchers::Contains;

namespace {

constexpr const char* ztunnel_id = "spiffe://cluster.local/ns/istio-system/sa/ztunnel";

/// The `root-cert.pem` of ConfigMap istio-ca-root-cert in namespace `ns` of `c` ("" when none).
std::string published_root(sim::sim_cluster& c, const std::string& ns) {
  auto got = c.data().get(*sim::find_resource("", "v1", "configmaps"), ns, "istio-ca-root-cert");
  auto doc = !got.error && got.object ? sim::parse_json(got.object->json, nullptr) : std::nullopt;
  const auto* pem = doc ? sim::find_path(*doc, {"data", "root-cert.pem"}) : nullptr;
  return pem && pem->is_string() ? pem->get<std::string>() : "";
}

/// A root CA made by the openssl CLI, in istiod's plugged-in layout.
void make_cacerts(const ca_test::temp_dir& dir) {
  auto r = ca_test::run(
      "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /O=cluster.local"
      " -days 3650 -addext basicConstraints=critical,CA:TRUE"
      " -addext keyUsage=critical,keyCertSign,cRLSign -keyout "
      + dir.file("ca-key.pem") + " -out " + dir.file("ca-cert.pem"));
  REQUIRE(r.exit_code == 0);
  dir.write("root-cert.pem", dir.read("ca-cert.pem"));
  dir.write("cert-chain.pem", dir.read("ca-cert.pem"));
}

/// What a ztunnel sends: the token (if any) and the cluster it runs in.
struct ztunnel_caller {
  std::string token;
  std::string cluster;
  void decorate(grpc::ClientContext& ctx) const {
    ctx.set_deadline(std::chrono::system_clock::now() + 15s);
    if (!token.empty())
      ctx.AddMetadata("authorization", "Bearer " + token);
    ctx.AddMetadata("clusterid", cluster);
  }
};

/// The first Address response, or the status the stream ended with.
struct address_result {
  bool served = false;
  size_t resources = 0;
  grpc::Status status;
};

address_result subscribe(const std::shared_ptr<grpc::Channel>& ch, const ztunnel_caller& who) {
  auto stub = envoy::service::discovery::v3::AggregatedDiscoveryService::NewStub(ch);
  grpc::ClientContext ctx;
  who.decorate(ctx);
  auto stream = stub->DeltaAggregatedResources(&ctx);
  envoy::service::discovery::v3::DeltaDiscoveryRequest req;
  req.set_type_url("type.googleapis.com/istio.workload.Address");
  req.mutable_node()->set_id(
      "ztunnel~10.0.0.5~ztunnel-x.istio-system~istio-system.svc.cluster.local");
  auto& md = *req.mutable_node()->mutable_metadata()->mutable_fields();
  md["NAME"].set_string_value("ztunnel-x");
  md["NAMESPACE"].set_string_value("istio-system");
  md["INSTANCE_IPS"].set_string_value("10.0.0.5");
  md["NODE_NAME"].set_string_value("node-a");
  md["CLUSTER_ID"].set_string_value(who.cluster);
  address_result out;
  stream->Write(req);
  envoy::service::discovery::v3::DeltaDiscoveryResponse resp;
  if (stream->Read(&resp)) {
    out.served = true;
    out.resources = static_cast<size_t>(resp.resources_size());
    ctx.TryCancel();
  }
  stream->WritesDone();
  out.status = stream->Finish();
  return out;
}

/// CreateCertificate for a new P-256 key asking for `identity`, as ztunnel's shared mode does:
/// the identity also named in the ImpersonatedIdentity metadata.
grpc::Status create_certificate(const std::shared_ptr<grpc::Channel>& ch, const ztunnel_caller& who,
                                const ca_test::temp_dir& dir, const std::string& identity,
                                std::vector<std::string>* chain = nullptr) {
  auto stub = istio::v1::auth::IstioCertificateService::NewStub(ch);
  grpc::ClientContext ctx;
  who.decorate(ctx);
  istio::v1::auth::IstioCertificateRequest req;
  req.set_csr(ca_test::p256_csr(dir, identity));
  req.set_validity_duration(24 * 3600);
  (*req.mutable_metadata()->mutable_fields())["ImpersonatedIdentity"].set_string_value(identity);
  istio::v1::auth::IstioCertificateResponse resp;
  auto status = stub->CreateCertificate(&ctx, req, &resp);
  if (chain)
    chain->assign(resp.cert_chain().begin(), resp.cert_chain().end());
  return status;
}

} // namespace

TEST_CASE("a ztunnel with a remote cluster's token gets Addresses and its certificate from "
          "ambientd's TLS listener and is refused without a good token",
          "[interop]") {
  test::ambientd_harness h{2, "ambientd-ztunnel-auth"};
  h.seed_remote(1, sim::workload_shape{1, 1, 2, 2});
  auto remote = h.cluster(1).name();
  test::https_client cl;
  cl.ca_pem = h.cluster(1).ca_pem();
  cl.token = h.cluster(1).token();
  auto base = h.cluster(1).server_url();
  test::create_service_account(cl, base, "istio-system", "ztunnel");
  test::create_pod_as(cl, base, "istio-system", "ztunnel-x", "ztunnel", "node-a");
  test::create_pod_as(cl, base, "istio-system", "ztunnel-gone", "ztunnel", "node-b");
  test::create_service_account(cl, base, "default", "echo");
  test::create_service_account(cl, base, "default", "other");
  test::create_pod_as(cl, base, "default", "echo-a", "echo", "node-a");
  test::create_pod_as(cl, base, "default", "other-b", "other", "node-b");

  ca_test::temp_dir cacerts;
  make_cacerts(cacerts);
  h.start({"--xds-tls-address", "127.0.0.1:0", "--cacerts-dir", cacerts.file("")});
  auto port = h.ambientd->wait_log(
      std::regex{R"(serving ADS with mTLS on 127\.0\.0\.1:0 \(port (\d+)\))"}, 20s);
  REQUIRE(port);
  REQUIRE(h.ambientd->wait_log(std::regex{"merged view: clusters \\[.*" + remote}, 30s));

  grpc::SslCredentialsOptions tls;
  tls.pem_root_certs = cacerts.read("root-cert.pem"); // no client certificate, as ztunnel
  grpc::ChannelArguments args;
  args.SetSslTargetNameOverride("istiod.istio-system.svc"); // the name ztunnel checks
  auto channel = grpc::CreateCustomChannel("127.0.0.1:" + *port, grpc::SslCredentials(tls), args);

  ztunnel_caller good{test::bound_token(cl, base, "istio-system", "ztunnel", "ztunnel-x"), remote};
  auto served = subscribe(channel, good);
  CHECK(served.served);
  CHECK(served.resources > 0);

  ca_test::temp_dir work;
  std::vector<std::string> chain;
  auto issued = create_certificate(channel, good, work, ztunnel_id, &chain);
  REQUIRE(issued.ok());
  REQUIRE(chain.size() >= 2);
  std::string intermediates;
  for (size_t i = 1; i + 1 < chain.size(); ++i)
    intermediates += chain[i];
  auto leaf = work.write("leaf.pem", chain.front());
  auto root = work.write("root.pem", chain.back());
  auto untrusted = work.write("chain.pem", intermediates.empty() ? chain.back() : intermediates);
  auto verified
      = ca_test::run("openssl verify -CAfile " + root + " -untrusted " + untrusted + " " + leaf);
  CHECK(verified.exit_code == 0);
  // The roots ztunnel mounts: istio-ca-root-cert in every namespace of the config cluster.
  for (const auto* ns : {"istio-system", "default", "kube-system"})
    CHECK(test::eventually([&] { return published_root(h.cluster(0), ns) == chain.back(); }));
  CHECK(published_root(h.cluster(0), "kube-public").empty());
  CHECK_THAT(ca_test::run("openssl x509 -noout -ext subjectAltName -in " + leaf).output,
             Contains(ztunnel_id));
  // The certificate works as a client certificate: an mTLS caller (proxyless gRPC, or anything
  // else with a mesh certificate) is served without a token.
  grpc::SslCredentialsOptions mtls = tls;
  mtls.pem_private_key = work.read("csr-key.pem");
  mtls.pem_cert_chain = chain.front();
  auto by_cert
      = subscribe(grpc::CreateCustomChannel("127.0.0.1:" + *port, grpc::SslCredentials(mtls), args),
                  ztunnel_caller{"", remote});
  CHECK(by_cert.served);
  // A trusted node agent gets the identity of a pod on its node, and no other.
  std::vector<std::string> echo_chain;
  REQUIRE(create_certificate(channel, good, work, "spiffe://cluster.local/ns/default/sa/echo",
                             &echo_chain)
              .ok());
  CHECK_THAT(ca_test::run("openssl x509 -noout -ext subjectAltName -in "
                          + work.write("echo.pem", echo_chain.front()))
                 .output,
             Contains("spiffe://cluster.local/ns/default/sa/echo"));
  auto elsewhere
      = create_certificate(channel, good, work, "spiffe://cluster.local/ns/default/sa/other");
  CHECK(elsewhere.error_code() == grpc::StatusCode::UNAUTHENTICATED);
  CHECK_THAT(elsewhere.error_message(), Contains("no pod of default/other runs on node node-a"));
  // An account that is not a node agent may not ask for anyone else.
  ztunnel_caller echo{test::bound_token(cl, base, "default", "echo", "echo-a"), remote};
  auto not_trusted
      = create_certificate(channel, echo, work, "spiffe://cluster.local/ns/default/sa/other");
  CHECK(not_trusted.error_code() == grpc::StatusCode::UNAUTHENTICATED);
  CHECK_THAT(not_trusted.error_message(), Contains("not a trusted node account"));

  auto refused = [&](const ztunnel_caller& who, const std::string& why) {
    INFO(why);
    auto r = subscribe(channel, who);
    CHECK_FALSE(r.served);
    CHECK(r.status.error_code() == grpc::StatusCode::UNAUTHENTICATED);
    CHECK(create_certificate(channel, who, work, ztunnel_id).error_code()
          == grpc::StatusCode::UNAUTHENTICATED);
    return r.status.error_message();
  };
  refused({"", remote}, "no token");
  refused({"not-a-jwt", remote}, "not a JWT");
  refused({test::bound_token(cl, base, "istio-system", "ztunnel", "ztunnel-x", {"other"}), remote},
          "wrong audience");
  CHECK_THAT(refused({good.token, "nowhere"}, "unknown cluster"), Contains("unknown cluster"));
  refused({good.token, h.cluster(0).name()}, "reviewed by the wrong cluster");
  auto doomed = test::bound_token(cl, base, "istio-system", "ztunnel", "ztunnel-gone");
  REQUIRE(cl.request("DELETE", base + "/api/v1/namespaces/istio-system/pods/ztunnel-gone").status
          == 200);
  refused({doomed, remote}, "deleted pod");
}

TEST_CASE("replicas without a plugged-in CA share the root in istio-ca-secret and keep it across "
          "restarts",
          "[interop]") {
  test::ambientd_harness h{1, "ambientd-ca-root"};
  test::https_client cl;
  cl.ca_pem = h.cluster(0).ca_pem();
  cl.token = h.cluster(0).token();
  auto base = h.cluster(0).server_url();
  test::create_service_account(cl, base, "istio-system", "ztunnel");
  test::create_pod_as(cl, base, "istio-system", "ztunnel-x", "ztunnel", "node-a");
  ztunnel_caller caller{test::bound_token(cl, base, "istio-system", "ztunnel", "ztunnel-x"),
                        h.cluster(0).name()};
  ca_test::temp_dir work;

  // The root in the Secret, as an operator hands it to ztunnel.
  auto secret_root = [&] {
    auto r = cl.request("GET", base + "/api/v1/namespaces/istio-system/secrets/istio-ca-secret");
    REQUIRE(r.status == 200);
    auto doc = sim::parse_json(r.body, nullptr);
    REQUIRE(doc);
    auto pem = sim::base64_decode(doc->at("data").at("ca-cert.pem").get<std::string>());
    REQUIRE(pem);
    return *pem;
  };
  // A replica's TLS listener verifies against that root, and signs with it.
  auto check_replica = [&](test::ambientd_harness::process& p, const std::string& root) {
    auto port = p.child->wait_log(
        std::regex{R"(serving ADS with mTLS on 127\.0\.0\.1:0 \(port (\d+)\))"}, 20s);
    REQUIRE(port);
    grpc::SslCredentialsOptions tls;
    tls.pem_root_certs = root;
    grpc::ChannelArguments args;
    args.SetSslTargetNameOverride("istiod.istio-system.svc");
    auto channel = grpc::CreateCustomChannel("127.0.0.1:" + *port, grpc::SslCredentials(tls), args);
    std::vector<std::string> chain;
    REQUIRE(create_certificate(channel, caller, work, ztunnel_id, &chain).ok());
    REQUIRE(chain.size() >= 2);
    auto leaf = work.write("leaf.pem", chain.front());
    auto root_file = work.write("root.pem", root);
    CHECK(ca_test::run("openssl verify -CAfile " + root_file + " " + leaf).exit_code == 0);
  };

  std::vector<std::string> flags{"--xds-tls-address", "127.0.0.1:0"};
  auto first = h.launch(flags);
  auto root = secret_root();
  auto second = h.launch(flags);
  check_replica(first, root);
  check_replica(second, root);
  CHECK(second.child->wait_log(std::regex{R"(istio-ca-secret \(read\))"}, 1s));
  // A restarted replica reads the same Secret.
  first.child->stop();
  auto third = h.launch(flags);
  check_replica(third, root);
  CHECK(secret_root() == root);
}
