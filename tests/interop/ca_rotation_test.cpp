// Rotating a plugged-in CA while ambientd runs, as Istio's multi-root procedure does it: first the
// new root joins root-cert.pem, then the new CA signs, then the old root leaves. The cacerts
// directory is swapped whole through a symlink, as a mounted Secret's files change.
#include <catch2/catch.hpp>

#include <filesystem>
#include <regex>

#include "support/ambientd_harness.hpp"
#include "support/eventually.hpp"
#include "support/ztunnel_client.hpp"
#include "unit/ca/openssl_cli.hpp"

using namespace ambient;
using namespace std::chrono_literals;

namespace {

constexpr const char* ztunnel_id = "spiffe://cluster.local/ns/istio-system/sa/ztunnel";

/// A self-signed P-256 root made by the openssl CLI: `<name>-key.pem` and `<name>-cert.pem`.
std::string make_root(const ca_test::temp_dir& dir, const std::string& name) {
  auto r = ca_test::run(
      "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /O=cluster.local"
      " -days 3650 -addext basicConstraints=critical,CA:TRUE"
      " -addext keyUsage=critical,keyCertSign,cRLSign -keyout "
      + dir.file(name + "-key.pem") + " -out " + dir.file(name + "-cert.pem"));
  REQUIRE(r.exit_code == 0);
  return dir.read(name + "-cert.pem");
}

/// Makes directory `version` with istiod's cacerts files (signing root `signer`, trusted `roots`)
/// and points the `cacerts` symlink at it, atomically.
void publish(const ca_test::temp_dir& dir, const std::string& version, const std::string& signer,
             const std::string& roots) {
  std::filesystem::path v = dir.file(version);
  std::filesystem::create_directory(v);
  auto write = [&](const std::string& file, const std::string& text) {
    std::ofstream{v / file, std::ios::binary} << text;
  };
  write("ca-cert.pem", dir.read(signer + "-cert.pem"));
  write("ca-key.pem", dir.read(signer + "-key.pem"));
  write("cert-chain.pem", dir.read(signer + "-cert.pem"));
  write("root-cert.pem", roots);
  std::filesystem::path link = dir.file("cacerts");
  std::filesystem::path tmp = dir.file("cacerts.tmp");
  std::filesystem::create_directory_symlink(v, tmp);
  std::filesystem::rename(tmp, link);
}

/// A TLS channel to `port` trusting `roots`, with a client certificate when `cert` is given.
std::shared_ptr<grpc::Channel> channel(const std::string& port, const std::string& roots,
                                       const std::string& cert = {}, const std::string& key = {}) {
  grpc::SslCredentialsOptions tls;
  tls.pem_root_certs = roots;
  tls.pem_cert_chain = cert;
  tls.pem_private_key = key;
  grpc::ChannelArguments args;
  args.SetSslTargetNameOverride("istiod.istio-system.svc");
  // A new connection per channel: the listener's certificate is what is being checked.
  args.SetInt("grpc.use_local_subchannel_pool", 1);
  return grpc::CreateCustomChannel("127.0.0.1:" + port, grpc::SslCredentials(tls), args);
}

/// Whether `pem` (a leaf first) verifies against `roots` with openssl.
bool verifies(const ca_test::temp_dir& dir, const std::string& pem, const std::string& roots) {
  auto leaf = dir.write("check-leaf.pem", pem);
  auto bundle = dir.write("check-roots.pem", roots);
  return ca_test::run("openssl verify -CAfile " + bundle + " " + leaf).exit_code == 0;
}

} // namespace

TEST_CASE("a plugged-in CA rotates to a new root while running and both roots are trusted during "
          "the overlap",
          "[interop]") {
  test::ambientd_harness h{1, "ambientd-ca-rotation"};
  test::https_client cl;
  cl.ca_pem = h.cluster(0).ca_pem();
  cl.token = h.cluster(0).token();
  auto caller = test::ztunnel_on_node_a(cl, h.cluster(0).server_url(), h.cluster(0).name());

  ca_test::temp_dir dir;
  auto old_root = make_root(dir, "old");
  auto new_root = make_root(dir, "new");
  auto both = old_root + new_root;
  publish(dir, "v1", "old", old_root);
  h.start({"--xds-tls-address", "127.0.0.1:0", "--cacerts-dir", dir.file("cacerts"),
           "--ca-check-interval", "1s", "--xds-tls-reload", "1s"});
  auto port = h.ambientd->wait_log(
      std::regex{R"(serving ADS with mTLS on 127\.0\.0\.1:0 \(port (\d+)\))"}, 20s);
  REQUIRE(port);
  std::regex rotated{"CA material changed"};

  // Before: a workload certificate from the old root, used as a client certificate later.
  std::vector<std::string> old_chain;
  REQUIRE(
      test::create_certificate(channel(*port, old_root), caller, dir, ztunnel_id, &old_chain).ok());
  auto old_key = dir.read("csr-key.pem");
  REQUIRE(verifies(dir, old_chain.front(), old_root));
  CHECK(
      test::eventually([&] { return test::published_root(h.cluster(0), "default") == old_root; }));

  // Step 1: the new root joins root-cert.pem; the old CA still signs.
  publish(dir, "v2", "old", both);
  REQUIRE(test::eventually([&] { return h.ambientd->count_log(rotated) >= 1; }));
  std::vector<std::string> chain;
  REQUIRE(test::create_certificate(channel(*port, old_root), caller, dir, ztunnel_id, &chain).ok());
  CHECK(chain.back() == both); // workloads learn both roots
  CHECK(test::eventually([&] { return test::published_root(h.cluster(0), "default") == both; }));
  CHECK(verifies(dir, chain.front(), old_root));

  // Step 2: the new CA signs; both roots stay trusted.
  publish(dir, "v3", "new", both);
  REQUIRE(test::eventually([&] { return h.ambientd->count_log(rotated) >= 2; }));
  // The listener presents a certificate from the new root once gRPC re-reads its files.
  REQUIRE(test::eventually([&] {
    return test::create_certificate(channel(*port, new_root), caller, dir, ztunnel_id, &chain).ok();
  }));
  CHECK(verifies(dir, chain.front(), new_root));
  CHECK_FALSE(verifies(dir, chain.front(), old_root));
  CHECK(chain.back() == both);
  // A client that trusts both roots is served; one that trusts only the old root no longer is.
  CHECK(test::subscribe(channel(*port, both), caller).served);
  CHECK_FALSE(test::subscribe(channel(*port, old_root), caller).served);
  // A client certificate from the old root is still accepted during the overlap.
  CHECK(test::subscribe(channel(*port, both, old_chain.front(), old_key), {"", caller.cluster})
            .served);

  // Material that does not load (a key of the other root) is refused; the new CA keeps signing.
  publish(dir, "v4-broken", "new", both);
  std::filesystem::copy_file(dir.file("old-key.pem"), dir.file("v4-broken/ca-key.pem"),
                             std::filesystem::copy_options::overwrite_existing);
  REQUIRE(h.ambientd->wait_log(std::regex{"does not load, still signing with the previous"}, 10s));
  REQUIRE(test::create_certificate(channel(*port, both), caller, dir, ztunnel_id, &chain).ok());
  CHECK(verifies(dir, chain.front(), new_root));

  // Step 3: the old root leaves; a client certificate from it is refused from then on.
  publish(dir, "v5", "new", new_root);
  REQUIRE(test::eventually([&] { return h.ambientd->count_log(rotated) >= 3; }));
  REQUIRE(test::eventually([&] {
    return !test::subscribe(channel(*port, both, old_chain.front(), old_key), {"", caller.cluster})
                .served;
  }));
  CHECK(test::subscribe(channel(*port, new_root), caller).served);
  REQUIRE(test::create_certificate(channel(*port, new_root), caller, dir, ztunnel_id, &chain).ok());
  CHECK(chain.back() == new_root);
  CHECK(
      test::eventually([&] { return test::published_root(h.cluster(0), "default") == new_root; }));
}
