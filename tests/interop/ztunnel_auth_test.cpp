// ambientd's TLS listener as a ztunnel reaches it: TLS verifying the server against the mesh root,
// no client certificate, a service-account token from kube-sim's TokenRequest and the `clusterid`
// of a remote cluster; Addresses over delta ADS and workload certificates from
// IstioCertificateService, checked with `openssl verify`. The CA is plugged in from a directory
// made with the openssl CLI (istiod's cacerts layout).
#include <catch2/catch.hpp>

#include <regex>

#include <grpcpp/grpcpp.h>

#include "base/base64.hpp"
#include "support/ambientd_harness.hpp"
#include "support/eventually.hpp"
#include "support/sim_tokens.hpp"
#include "support/ztunnel_client.hpp"
#include "unit/ca/openssl_cli.hpp"

using namespace ambient;
using namespace std::chrono_literals;
using Catch::Matchers::Contains;
using test::create_certificate;
using test::subscribe;
using test::ztunnel_caller;

namespace {

constexpr const char* ztunnel_id = "spiffe://cluster.local/ns/istio-system/sa/ztunnel";

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
    CHECK(test::eventually([&] { return test::published_root(h.cluster(0), ns) == chain.back(); }));
  CHECK(test::published_root(h.cluster(0), "kube-public").empty());
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
  auto caller = test::ztunnel_on_node_a(cl, base, h.cluster(0).name());
  ca_test::temp_dir work;

  // The root in the Secret, as an operator hands it to ztunnel.
  auto secret_root = [&] {
    auto r = cl.request("GET", base + "/api/v1/namespaces/istio-system/secrets/istio-ca-secret");
    REQUIRE(r.status == 200);
    auto doc = sim::parse_json(r.body, nullptr);
    REQUIRE(doc);
    auto pem = base::decode_base64(doc->at("data").at("ca-cert.pem").get<std::string>());
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

  std::vector<std::string> flags{"--xds-tls-address", "127.0.0.1:0", "--ca-check-interval", "1s",
                                 "--xds-tls-reload",  "1s"};
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

  // The operator replaces the Secret with a root of their own: the running replicas sign with it
  // within --ca-check-interval, and their listeners present certificates from it.
  ca_test::temp_dir next;
  make_cacerts(next);
  auto put = cl.request(
      "PUT", base + "/api/v1/namespaces/istio-system/secrets/istio-ca-secret",
      R"({"apiVersion":"v1","kind":"Secret","metadata":{"name":"istio-ca-secret",)"
      R"("namespace":"istio-system"},"type":"istio.io/ca-root","data":{"ca-cert.pem":")"
          + base::encode_base64(next.read("ca-cert.pem")) + R"(","ca-key.pem":")"
          + base::encode_base64(next.read("ca-key.pem")) + R"("}})");
  REQUIRE(put.status == 200);
  for (auto* p : {&second, &third}) {
    REQUIRE(p->child->wait_log(std::regex{"CA material changed"}, 10s));
    // gRPC serves the reissued listener certificate to new connections within --xds-tls-reload.
    auto port = p->child->wait_log(
        std::regex{R"(serving ADS with mTLS on 127\.0\.0\.1:0 \(port (\d+)\))"}, 1s);
    REQUIRE(port);
    grpc::SslCredentialsOptions tls;
    tls.pem_root_certs = next.read("ca-cert.pem");
    grpc::ChannelArguments args;
    args.SetSslTargetNameOverride("istiod.istio-system.svc");
    args.SetInt("grpc.use_local_subchannel_pool", 1);
    std::vector<std::string> chain;
    REQUIRE(test::eventually([&] {
      auto channel
          = grpc::CreateCustomChannel("127.0.0.1:" + *port, grpc::SslCredentials(tls), args);
      return create_certificate(channel, caller, work, ztunnel_id, &chain).ok();
    }));
    auto leaf = work.write("leaf.pem", chain.front());
    CHECK(ca_test::run("openssl verify -CAfile " + next.file("ca-cert.pem") + " " + leaf).exit_code
          == 0);
  }
}
