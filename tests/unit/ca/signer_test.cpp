#include <catch2/catch.hpp>

#include "ca/root_ca.hpp"
#include "ca/signer.hpp"
#include "unit/ca/openssl_cli.hpp"

using namespace ambient;
using ambient::ca_test::spiffe_b;
using ambient::ca_test::take;
using ambient::ca_test::temp_dir;
using std::chrono::hours;

namespace {

std::shared_ptr<const ca::signing_bundle> root() {
  auto made = ca::generate_root({"cluster.local", ca::key_kind::ec_p256, hours{24 * 3650}},
                                std::chrono::system_clock::now());
  REQUIRE(std::holds_alternative<ca::signing_bundle>(made));
  return std::make_shared<const ca::signing_bundle>(std::get<ca::signing_bundle>(std::move(made)));
}

} // namespace

TEST_CASE("a signer without a bundle refuses as not ready", "[ca]") {
  temp_dir dir;
  ca::signer s{{}};
  auto r = s.sign(ca_test::p256_csr(dir, spiffe_b), spiffe_b, hours{1},
                  std::chrono::system_clock::now());
  REQUIRE(std::holds_alternative<ca::error>(r));
  CHECK(std::string{ca::sign_error_type(std::get<ca::error>(r).code)} == "CA_NOT_READY");
}

TEST_CASE("a signer answers a CSR with leaf and root that openssl verifies", "[ca]") {
  temp_dir dir;
  ca::signer s{{}};
  auto bundle = root();
  s.install(bundle);
  auto r = s.sign(ca_test::p256_csr(dir, spiffe_b), spiffe_b, hours{0},
                  std::chrono::system_clock::now());
  REQUIRE(std::holds_alternative<std::vector<std::string>>(r));
  const auto& chain = std::get<std::vector<std::string>>(r);
  REQUIRE(chain.size() == 2); // a self-signed root: the leaf, then the root
  CHECK(chain.back() == bundle->roots_pem);
  auto leaf = dir.write("leaf.pem", chain.front());
  auto roots = dir.write("root.pem", chain.back());
  auto verified = ca_test::run("openssl verify -CAfile " + roots + " " + leaf);
  CHECK(verified.exit_code == 0);
  CHECK_THAT(ca_test::run("openssl x509 -noout -ext subjectAltName -in " + leaf).output,
             Catch::Contains(spiffe_b));
}

TEST_CASE("a signer refuses what the CA policy refuses and keeps signing after", "[ca]") {
  temp_dir dir;
  ca::signer::params p;
  p.ttl.max_ttl = hours{48};
  ca::signer s{p};
  s.install(root());
  auto now = std::chrono::system_clock::now();
  auto csr = ca_test::p256_csr(dir, spiffe_b);
  auto too_long = s.sign(csr, spiffe_b, hours{49}, now);
  REQUIRE(std::holds_alternative<ca::error>(too_long));
  CHECK(std::string{ca::sign_error_type(std::get<ca::error>(too_long).code)} == "TTL_ERROR");
  auto other = s.sign(csr, "spiffe://cluster.local/ns/a/sa/other", hours{1}, now);
  REQUIRE(std::holds_alternative<ca::error>(other));
  CHECK(std::get<ca::error>(other).code == ca::errc::foreign_san);
  auto garbage = s.sign("not a csr", spiffe_b, hours{1}, now);
  REQUIRE(std::holds_alternative<ca::error>(garbage));
  CHECK(std::string{ca::sign_error_type(std::get<ca::error>(garbage).code)} == "CSR_ERROR");
  CHECK(std::holds_alternative<std::vector<std::string>>(s.sign(csr, spiffe_b, hours{1}, now)));

  ca::signer::params lenient;
  lenient.refuse_foreign_sans = false;
  ca::signer istiod_like{lenient};
  istiod_like.install(root());
  CHECK(std::holds_alternative<std::vector<std::string>>(
      istiod_like.sign(csr, "spiffe://cluster.local/ns/a/sa/other", hours{1}, now)));
}
