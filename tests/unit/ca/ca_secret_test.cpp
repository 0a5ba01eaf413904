#include <catch2/catch.hpp>

#include "base/openssl_util.hpp"
#include "ca/ca_secret.hpp"
#include "ca/issuer.hpp"
#include "ca/root_ca.hpp"
#include "unit/ca/openssl_cli.hpp"

using namespace ambient;
using ambient::ca_test::spiffe_b;
using ambient::ca_test::take;
using ambient::ca_test::temp_dir;
using std::chrono::hours;

namespace {

ca::error refusal(const ca::result<ca::signing_bundle>& r) {
  const auto* e = std::get_if<ca::error>(&r);
  REQUIRE(e != nullptr);
  return *e;
}

/// An operator-made plugged-in CA, as Istio's tools/certs Makefile makes one: an RSA root and an
/// EC intermediate signed by it, in the `cacerts` layout (cert-chain.pem = intermediate + root).
std::map<std::string, std::string> openssl_cacerts(const temp_dir& dir) {
  auto step = [](const std::string& cmd) {
    auto r = ca_test::run(cmd);
    if (r.exit_code != 0)
      FAIL(cmd << "\n" << r.output);
  };
  step("openssl req -x509 -newkey rsa:2048 -nodes -subj /O=Istio/CN=Root -days 3650 "
       "-addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign "
       "-keyout "
       + dir.file("root-key.pem") + " -out " + dir.file("root-cert.pem"));
  step("openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes "
       "-subj /O=Istio/CN=Intermediate -keyout "
       + dir.file("ca-key.pem") + " -out " + dir.file("ca.csr"));
  dir.write("ext.cnf", "basicConstraints=critical,CA:TRUE,pathlen:0\n"
                       "keyUsage=critical,keyCertSign,cRLSign\n"
                       "subjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n");
  step("openssl x509 -req -in " + dir.file("ca.csr") + " -CA " + dir.file("root-cert.pem")
       + " -CAkey " + dir.file("root-key.pem") + " -set_serial 4096 -days 730 -extfile "
       + dir.file("ext.cnf") + " -out " + dir.file("ca-cert.pem"));
  return {{"ca-cert.pem", dir.read("ca-cert.pem")},
          {"ca-key.pem", dir.read("ca-key.pem")},
          {"cert-chain.pem", dir.read("ca-cert.pem") + dir.read("root-cert.pem")},
          {"root-cert.pem", dir.read("root-cert.pem")}};
}

/// Issues a leaf for a fresh openssl CSR and returns the chain response.
std::vector<std::string> sign(const temp_dir& dir, const ca::signing_bundle& ca) {
  auto csr = take(ca::check_csr(ca_test::p256_csr(dir, spiffe_b)));
  auto now = std::chrono::system_clock::now();
  return ca::chain_response(ca, take(ca::issue(ca, csr, {spiffe_b, hours{1}, now, true})));
}

} // namespace

TEST_CASE("a plugged-in CA with an intermediate signs leaves that verify from root to leaf",
          "[ca]") {
  temp_dir dir;
  auto data = openssl_cacerts(dir);
  auto ca = take(ca::load_signing_bundle(data, std::chrono::system_clock::now()));
  auto chain = sign(dir, ca);
  // istiod's order: the leaf, each cert-chain.pem certificate alone, the root bundle unsplit.
  REQUIRE(chain.size() == 4);
  CHECK(chain[1] == data["ca-cert.pem"]);
  CHECK(chain[2] == data["root-cert.pem"]);
  CHECK(chain[3] == data["root-cert.pem"]);
  for (const auto& element : chain)
    CHECK(element.substr(element.size() - 2) == "-\n");
  dir.write("leaf.pem", chain[0]);
  dir.write("chain.pem", chain[1]);
  dir.write("bundle.pem", chain.back());
  auto verify = ca_test::run("openssl verify -CAfile " + dir.file("bundle.pem") + " -untrusted "
                             + dir.file("chain.pem") + " " + dir.file("leaf.pem"));
  CHECK(verify.exit_code == 0);
  CHECK_THAT(verify.output, Catch::Contains("leaf.pem: OK"));
  // Without the intermediate the leaf does not verify: the chain is what links it.
  CHECK(
      ca_test::run("openssl verify -CAfile " + dir.file("bundle.pem") + " " + dir.file("leaf.pem"))
          .exit_code
      != 0);
  auto text = ca_test::run("openssl x509 -noout -issuer -in " + dir.file("leaf.pem"));
  CHECK_THAT(text.output, Catch::Contains("CN = Intermediate"));
}

TEST_CASE("the kubernetes.io/tls layout loads with tls.crt then ca.crt as the chain", "[ca]") {
  temp_dir dir;
  auto data = openssl_cacerts(dir);
  std::map<std::string, std::string> tls{{"tls.crt", data["ca-cert.pem"]},
                                         {"tls.key", data["ca-key.pem"]},
                                         {"ca.crt", data["root-cert.pem"]}};
  auto ca = take(ca::load_signing_bundle(tls, std::chrono::system_clock::now()));
  auto chain = sign(dir, ca);
  REQUIRE(chain.size() == 4);
  CHECK(chain[1] == data["ca-cert.pem"]);
  CHECK(chain[3] == data["root-cert.pem"]);
  tls.erase("ca.crt");
  CHECK(refusal(ca::load_signing_bundle(tls, std::chrono::system_clock::now())).message
        == "CA secret data has tls.crt but no ca.crt");
}

TEST_CASE("a bundle whose key does not match its certificate is refused clearly", "[ca]") {
  temp_dir dir;
  auto data = openssl_cacerts(dir);
  data["ca-key.pem"] = dir.read("root-key.pem");
  auto e = refusal(ca::load_signing_bundle(data, std::chrono::system_clock::now()));
  CHECK(e.code == ca::errc::bad_bundle);
  CHECK(e.message == "ca-key.pem does not match the certificate in ca-cert.pem");
  CHECK(e.message.find("PRIVATE KEY") == std::string::npos);
}

TEST_CASE("a bundle that is not a CA or does not chain to its roots is refused", "[ca]") {
  temp_dir dir;
  auto data = openssl_cacerts(dir);
  auto other = take(ca::generate_root({"other.local", ca::key_kind::ec_p256, hours{24}},
                                      std::chrono::system_clock::now()));
  auto wrong_root = data;
  wrong_root["root-cert.pem"] = other.roots_pem;
  wrong_root["cert-chain.pem"] = data["ca-cert.pem"];
  auto e = refusal(ca::load_signing_bundle(wrong_root, std::chrono::system_clock::now()));
  CHECK_THAT(e.message, Catch::StartsWith("ca-cert.pem does not verify against root-cert.pem"));
  // A leaf is no CA.
  auto leaf_chain
      = sign(dir, take(ca::load_signing_bundle(data, std::chrono::system_clock::now())));
  auto leaf_data = data;
  leaf_data["ca-cert.pem"] = leaf_chain[0];
  leaf_data["ca-key.pem"] = dir.read("csr-key.pem");
  CHECK_THAT(refusal(ca::load_signing_bundle(leaf_data, std::chrono::system_clock::now())).message,
             Catch::StartsWith("ca-cert.pem is not a CA certificate"));
  // After the intermediate expires it no longer verifies.
  auto later = std::chrono::system_clock::now() + hours{24 * 800};
  CHECK_THAT(refusal(ca::load_signing_bundle(data, later)).message,
             Catch::Contains("certificate has expired"));
  CHECK(
      refusal(ca::load_signing_bundle({{"ca-key.pem", "x"}}, std::chrono::system_clock::now())).code
      == ca::errc::bad_bundle);
  data.erase("ca-key.pem");
  CHECK(refusal(ca::load_signing_bundle(data, std::chrono::system_clock::now())).message
        == "CA secret data has ca-cert.pem but no ca-key.pem");
}

TEST_CASE("a generated root follows istiod and round-trips through istio-ca-secret data", "[ca]") {
  temp_dir dir;
  // Whole seconds: certificate times have no fraction.
  auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  auto ca = take(ca::generate_root({}, now));
  CHECK(EVP_PKEY_get_base_id(ca.key.get()) == EVP_PKEY_RSA);
  CHECK(EVP_PKEY_get_bits(ca.key.get()) == 2048);
  CHECK(ca.chain.empty());
  CHECK(ca::root_expiry_seconds(ca, now) == 3650LL * 24 * 3600);
  dir.write("root.pem", ca.roots_pem);
  auto text = ca_test::run("openssl x509 -noout -text -in " + dir.file("root.pem"));
  CHECK_THAT(text.output, Catch::Contains("Subject: O = cluster.local"));
  CHECK_THAT(text.output, Catch::Contains("Issuer: O = cluster.local"));
  CHECK_THAT(text.output, Catch::Contains("CA:TRUE"));
  CHECK_THAT(text.output, Catch::Contains("Certificate Sign"));
  CHECK(ca_test::run("openssl verify -CAfile " + dir.file("root.pem") + " " + dir.file("root.pem"))
            .exit_code
        == 0);
  auto data = ca::to_secret_data(ca);
  CHECK(data.at("ca-cert.pem") == ca.roots_pem);
  CHECK(data.at("root-cert.pem") == ca.roots_pem);
  CHECK(data.at("cert-chain.pem").empty());
  CHECK(data.at("key.pem").empty());
  auto back = take(ca::load_signing_bundle(data, now));
  CHECK(X509_cmp(back.cert.get(), ca.cert.get()) == 0);
  CHECK(EVP_PKEY_eq(back.key.get(), ca.key.get()) == 1);
  // istiod's own istio-ca-secret may carry an empty root-cert.pem: ca-cert.pem is the root.
  data["root-cert.pem"] = "";
  auto self = take(ca::load_signing_bundle(data, now));
  CHECK(self.roots_pem == ca.roots_pem);
  auto ec = take(ca::generate_root({"td.example", ca::key_kind::ec_p256, hours{48}}, now));
  CHECK(EVP_PKEY_get_base_id(ec.key.get()) == EVP_PKEY_EC);
  CHECK(ca::root_expiry_seconds(ec, now + hours{1}) == 47LL * 3600);
}

TEST_CASE("during root rotation leaves from either root verify against the two-root bundle",
          "[ca]") {
  temp_dir dir;
  auto now = std::chrono::system_clock::now();
  auto old_root = take(ca::generate_root({}, now));
  auto new_root = take(ca::generate_root({"cluster.local", ca::key_kind::ec_p256, hours{24}}, now));
  auto both = old_root.roots_pem + new_root.roots_pem;
  auto load = [&](const ca::signing_bundle& r) {
    auto data = ca::to_secret_data(r);
    data["root-cert.pem"] = both;
    return take(ca::load_signing_bundle(data, now));
  };
  auto old_ca = load(old_root);
  auto new_ca = load(new_root);
  CHECK(old_ca.roots.size() == 2);
  auto old_chain = sign(dir, old_ca);
  auto new_chain = sign(dir, new_ca);
  REQUIRE(old_chain.size() == 2);
  CHECK(old_chain.back() == both);
  CHECK(new_chain.back() == both);
  dir.write("bundle.pem", both);
  dir.write("old-leaf.pem", old_chain[0]);
  dir.write("new-leaf.pem", new_chain[0]);
  dir.write("old-root-only.pem", old_root.roots_pem);
  auto verify = [&](const std::string& bundle, const std::string& leaf) {
    return ca_test::run("openssl verify -CAfile " + dir.file(bundle) + " " + dir.file(leaf))
        .exit_code;
  };
  CHECK(verify("bundle.pem", "old-leaf.pem") == 0);
  CHECK(verify("bundle.pem", "new-leaf.pem") == 0);
  CHECK(verify("old-root-only.pem", "new-leaf.pem") != 0);
}

TEST_CASE("the second of two self-signed roots with one subject loads as the signing root",
          "[ca]") {
  // Rotated self-signed roots share the subject O=<trust domain>; OpenSSL alone would try only the
  // first root of that subject and refuse the second.
  auto now = std::chrono::system_clock::now();
  auto first = take(ca::generate_root({"cluster.local", ca::key_kind::ec_p256, hours{48}}, now));
  auto second = take(ca::generate_root({"cluster.local", ca::key_kind::ec_p256, hours{48}}, now));
  auto data = ca::to_secret_data(second);
  data["root-cert.pem"] = first.roots_pem + second.roots_pem;
  auto loaded = take(ca::load_signing_bundle(data, now));
  CHECK(loaded.roots.size() == 2);
  // A third root of the same subject that is not in root-cert.pem is still refused.
  auto third = take(ca::generate_root({"cluster.local", ca::key_kind::ec_p256, hours{48}}, now));
  auto foreign = ca::to_secret_data(third);
  foreign["root-cert.pem"] = first.roots_pem + second.roots_pem;
  CHECK(refusal(ca::load_signing_bundle(foreign, now)).code == ca::errc::bad_bundle);
}
