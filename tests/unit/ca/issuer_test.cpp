#include <catch2/catch.hpp>

#include <openssl/bn.h>
#include <openssl/x509v3.h>

#include "base/openssl_util.hpp"
#include "ca/cert_builder.hpp"
#include "ca/issuer.hpp"
#include "ca/root_ca.hpp"
#include "unit/ca/openssl_cli.hpp"

using namespace ambient;
using ambient::ca_test::spiffe_b;
using ambient::ca_test::take;
using ambient::ca_test::temp_dir;
using std::chrono::hours;

namespace {

ca::csr_info checked(const std::string& pem) {
  return take(ca::check_csr(pem));
}

ca::signing_bundle root(ca::key_kind kind = ca::key_kind::rsa_2048) {
  return take(ca::generate_root({"cluster.local", kind, hours{24 * 3650}},
                                std::chrono::system_clock::now()));
}

} // namespace

TEST_CASE("a leaf signed for an openssl CSR passes openssl verify and shows istiod extensions",
          "[ca]") {
  temp_dir dir;
  auto ca = root();
  auto csr = checked(ca_test::p256_csr(dir, spiffe_b));
  auto now = std::chrono::system_clock::now();
  auto leaf = take(ca::issue(ca, csr, {spiffe_b, hours{24}, now, true}));
  auto chain = ca::chain_response(ca, leaf);
  REQUIRE(chain.size() == 2); // self-signed: the leaf, then the root
  CHECK(chain[0] == leaf);
  CHECK(chain[1] == ca.roots_pem);
  dir.write("root.pem", chain.back());
  dir.write("leaf.pem", chain[0]);
  auto verify
      = ca_test::run("openssl verify -CAfile " + dir.file("root.pem") + " " + dir.file("leaf.pem"));
  CHECK(verify.exit_code == 0);
  CHECK_THAT(verify.output, Catch::Contains("leaf.pem: OK"));
  auto text = ca_test::run("openssl x509 -noout -text -in " + dir.file("leaf.pem"));
  REQUIRE(text.exit_code == 0);
  CHECK_THAT(text.output, Catch::Contains("X509v3 Key Usage: critical"));
  CHECK_THAT(text.output, Catch::Contains("Digital Signature, Key Encipherment"));
  CHECK_THAT(text.output,
             Catch::Contains("TLS Web Server Authentication, TLS Web Client Authentication"));
  CHECK_THAT(text.output, Catch::Contains("X509v3 Basic Constraints: critical"));
  CHECK_THAT(text.output, Catch::Contains("CA:FALSE"));
  CHECK_THAT(text.output, Catch::Contains("X509v3 Subject Alternative Name: critical"));
  CHECK_THAT(text.output, Catch::Contains("URI:" + spiffe_b));
  CHECK_THAT(text.output, Catch::Contains("X509v3 Subject Key Identifier"));
  CHECK_THAT(text.output, Catch::Contains("X509v3 Authority Key Identifier"));
  CHECK_THAT(text.output, Catch::Contains("Signature Algorithm: sha256WithRSAEncryption"));
  CHECK_THAT(text.output, Catch::Contains("Issuer: O = cluster.local"));
  // What -text shows loosely, checked exactly in the certificate itself.
  auto cert = base::parse_cert(leaf);
  REQUIRE(cert);
  CHECK(X509_NAME_entry_count(X509_get_subject_name(cert.get())) == 0);
  auto to_seconds = [](auto tp) {
    return std::chrono::system_clock::to_time_t(tp);
  };
  CHECK(to_seconds(ca::to_time_point(X509_get0_notBefore(cert.get())))
        == to_seconds(now - std::chrono::minutes{2}));
  CHECK(to_seconds(ca::to_time_point(X509_get0_notAfter(cert.get())))
        == to_seconds(now + hours{24}));
  CHECK(ca::uri_sans(cert.get()) == std::vector<std::string>{spiffe_b});
}

TEST_CASE("each leaf gets its own random serial of about 128 bits", "[ca]") {
  temp_dir dir;
  auto ca = root(ca::key_kind::ec_p256);
  auto csr = checked(ca_test::p256_csr(dir, spiffe_b));
  auto now = std::chrono::system_clock::now();
  auto serial_of = [&] {
    auto cert = base::parse_cert(take(ca::issue(ca, csr, {spiffe_b, hours{1}, now, true})));
    REQUIRE(cert);
    base::bignum_ptr bn{ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert.get()), nullptr)};
    REQUIRE(bn);
    CHECK(!BN_is_negative(bn.get()));
    CHECK(BN_num_bits(bn.get()) > 96); // 2^-32 odds of a false failure
    char* hex = BN_bn2hex(bn.get());
    std::string out{hex};
    OPENSSL_free(hex);
    return out;
  };
  CHECK(serial_of() != serial_of());
}

TEST_CASE("a CSR asking for another identity is refused when foreign SANs are refused", "[ca]") {
  temp_dir dir;
  auto ca = root(ca::key_kind::ec_p256);
  auto csr = checked(ca_test::p256_csr(dir, "spiffe://cluster.local/ns/kube-system/sa/admin"));
  auto r = ca::issue(ca, csr, {spiffe_b, hours{1}, std::chrono::system_clock::now(), true});
  const auto* e = std::get_if<ca::error>(&r);
  REQUIRE(e != nullptr);
  CHECK(e->code == ca::errc::foreign_san);
  CHECK_THAT(e->message, Catch::Contains("spiffe://cluster.local/ns/kube-system/sa/admin"));
  CHECK(std::string{ca::sign_error_type(e->code)} == "CSR_ERROR");
}

TEST_CASE("with foreign SANs allowed the leaf carries only the caller identity as istiod does",
          "[ca]") {
  temp_dir dir;
  auto ca = root(ca::key_kind::ec_p256);
  auto csr = checked(ca_test::p256_csr(dir, "spiffe://cluster.local/ns/kube-system/sa/admin"));
  auto leaf
      = take(ca::issue(ca, csr, {spiffe_b, hours{1}, std::chrono::system_clock::now(), false}));
  auto cert = base::parse_cert(leaf);
  REQUIRE(cert);
  CHECK(ca::uri_sans(cert.get()) == std::vector<std::string>{spiffe_b});
}

TEST_CASE("an identity that is not a SPIFFE URI is refused", "[ca]") {
  temp_dir dir;
  auto ca = root(ca::key_kind::ec_p256);
  auto csr = checked(ca_test::p256_csr(dir, ""));
  auto r = ca::issue(ca, csr, {"https://evil", hours{1}, std::chrono::system_clock::now(), true});
  REQUIRE(std::holds_alternative<ca::error>(r));
  CHECK(std::get<ca::error>(r).code == ca::errc::bad_identity);
}

TEST_CASE("a serving certificate verifies for its DNS name as a TLS server", "[ca]") {
  temp_dir dir;
  auto ca = root(ca::key_kind::ec_p256);
  auto now = std::chrono::system_clock::now();
  auto serving = take(ca::issue_serving_cert(
      ca, {"istiod.istio-system.svc", "istiod-remote.istio-system.svc"}, hours{24}, now));
  dir.write("root.pem", ca.roots_pem);
  dir.write("serving.pem", serving.cert_chain_pem);
  auto ok = ca_test::run("openssl verify -purpose sslserver -verify_hostname "
                         "istiod-remote.istio-system.svc -CAfile "
                         + dir.file("root.pem") + " " + dir.file("serving.pem"));
  CHECK(ok.exit_code == 0);
  auto wrong = ca_test::run("openssl verify -verify_hostname evil.example -CAfile "
                            + dir.file("root.pem") + " " + dir.file("serving.pem"));
  CHECK(wrong.exit_code != 0);
  auto key = base::parse_key(serving.key_pem);
  REQUIRE(key);
  auto cert = base::parse_cert(serving.cert_chain_pem);
  REQUIRE(cert);
  CHECK(X509_check_private_key(cert.get(), key.get()) == 1);
  CHECK(EVP_PKEY_get_base_id(key.get()) == EVP_PKEY_EC);
}
