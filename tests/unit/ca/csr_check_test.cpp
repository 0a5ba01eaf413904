#include <catch2/catch.hpp>

#include <openssl/pem.h>

#include "base/openssl_util.hpp"
#include "ca/csr_check.hpp"
#include "unit/ca/openssl_cli.hpp"

using namespace ambient;
using ambient::ca_test::spiffe_b;
using ambient::ca_test::take;
using ambient::ca_test::temp_dir;

namespace {

/// The error of a refused CSR; fails the test when the CSR was accepted.
ca::error refusal(const ca::result<ca::csr_info>& r) {
  const auto* e = std::get_if<ca::error>(&r);
  REQUIRE(e != nullptr);
  return *e;
}

/// The CSR re-encoded with its last DER byte (inside the signature) changed.
std::string flip_last_signature_byte(const std::string& pem) {
  auto in = base::memory_bio(pem);
  char* name = nullptr;
  char* header = nullptr;
  unsigned char* data = nullptr;
  long len = 0;
  REQUIRE(PEM_read_bio(in.get(), &name, &header, &data, &len) == 1);
  data[len - 1] ^= 0x01;
  base::bio_ptr out{BIO_new(BIO_s_mem())};
  REQUIRE(PEM_write_bio(out.get(), name, header, data, len) > 0);
  OPENSSL_free(name);
  OPENSSL_free(header);
  OPENSSL_free(data);
  return base::bio_contents(out.get());
}

} // namespace

TEST_CASE("an openssl P-256 CSR passes and yields its key and URI SAN", "[ca]") {
  temp_dir dir;
  auto r = ca::check_csr(ca_test::p256_csr(dir, spiffe_b));
  auto* info = std::get_if<ca::csr_info>(&r);
  REQUIRE(info != nullptr);
  CHECK(info->key_description == "EC P-256");
  CHECK(info->uri_sans == std::vector<std::string>{spiffe_b});
  CHECK(EVP_PKEY_get_base_id(info->public_key.get()) == EVP_PKEY_EC);
}

TEST_CASE("P-384 and RSA-2048 CSRs pass and a CSR without SANs has none", "[ca]") {
  temp_dir dir;
  auto p384 = ca::check_csr(ca_test::openssl_csr(dir, "ec -pkeyopt ec_paramgen_curve:P-384", ""));
  REQUIRE(std::holds_alternative<ca::csr_info>(p384));
  CHECK(std::get<ca::csr_info>(p384).key_description == "EC P-384");
  CHECK(std::get<ca::csr_info>(p384).uri_sans.empty());
  auto rsa = ca::check_csr(ca_test::openssl_csr(dir, "rsa:2048", spiffe_b));
  REQUIRE(std::holds_alternative<ca::csr_info>(rsa));
  CHECK(std::get<ca::csr_info>(rsa).key_description == "RSA-2048");
}

TEST_CASE("a CSR with a flipped signature byte is refused as not verifying", "[ca]") {
  temp_dir dir;
  auto good = ca_test::p256_csr(dir, spiffe_b);
  auto e = refusal(ca::check_csr(flip_last_signature_byte(good)));
  CHECK(e.code == ca::errc::bad_signature);
  CHECK(e.message == "CSR signature does not verify");
}

TEST_CASE("a 1 MiB CSR is refused before parsing", "[ca]") {
  temp_dir dir;
  auto big = ca_test::p256_csr(dir, spiffe_b) + std::string(1 << 20, '\n');
  auto e = refusal(ca::check_csr(big));
  CHECK(e.code == ca::errc::csr_too_large);
  CHECK_THAT(e.message, Catch::Contains("the limit is 65536"));
}

TEST_CASE("a DER CSR is refused as not PEM", "[ca]") {
  temp_dir dir;
  auto der = ca_test::openssl_csr(dir, "ec -pkeyopt ec_paramgen_curve:P-256", spiffe_b, "DER");
  auto e = refusal(ca::check_csr(der));
  CHECK(e.code == ca::errc::bad_csr);
  CHECK_THAT(e.message, Catch::Contains("not PEM"));
}

TEST_CASE("two CSRs in one text are refused", "[ca]") {
  temp_dir dir;
  auto one = ca_test::p256_csr(dir, spiffe_b);
  auto two = ca_test::p256_csr(dir, spiffe_b);
  REQUIRE(std::holds_alternative<ca::csr_info>(ca::check_csr(one)));
  auto e = refusal(ca::check_csr(one + two));
  CHECK(e.code == ca::errc::bad_csr);
  CHECK_THAT(e.message, Catch::Contains("more than one PEM block"));
}

TEST_CASE("an RSA-1024 CSR is refused naming its key size", "[ca]") {
  temp_dir dir;
  auto e = refusal(ca::check_csr(ca_test::openssl_csr(dir, "rsa:1024", spiffe_b)));
  CHECK(e.code == ca::errc::weak_key);
  CHECK(e.message == "CSR key is RSA-1024; need RSA >= 2048 or EC P-256/P-384");
}

TEST_CASE("a CSR on another curve is refused naming the curve", "[ca]") {
  temp_dir dir;
  auto e = refusal(
      ca::check_csr(ca_test::openssl_csr(dir, "ec -pkeyopt ec_paramgen_curve:secp256k1", "")));
  CHECK(e.code == ca::errc::weak_key);
  CHECK_THAT(e.message, Catch::Contains("secp256k1"));
}

TEST_CASE("garbage text and a broken PEM body are refused with a reason", "[ca]") {
  auto garbage = refusal(ca::check_csr("hello, I am not a CSR"));
  CHECK(garbage.code == ca::errc::bad_csr);
  CHECK_THAT(garbage.message, Catch::Contains("not PEM"));
  auto body = refusal(ca::check_csr(
      "-----BEGIN CERTIFICATE REQUEST-----\n!!!!\n-----END CERTIFICATE REQUEST-----\n"));
  CHECK(body.code == ca::errc::bad_csr);
  auto not_der = refusal(ca::check_csr(
      "-----BEGIN CERTIFICATE REQUEST-----\naGVsbG8=\n-----END CERTIFICATE REQUEST-----\n"));
  CHECK(not_der.code == ca::errc::bad_csr);
  CHECK_THAT(not_der.message, Catch::Contains("DER certificate request"));
  CHECK(refusal(ca::check_csr("")).code == ca::errc::bad_csr);
}

TEST_CASE("a certificate sent in place of a CSR is refused naming the PEM type", "[ca]") {
  temp_dir dir;
  auto r = ca_test::run("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes "
                        "-subj /CN=x -days 1 -keyout "
                        + dir.file("k.pem") + " -out " + dir.file("c.pem"));
  REQUIRE(r.exit_code == 0);
  auto e = refusal(ca::check_csr(dir.read("c.pem")));
  CHECK(e.code == ca::errc::bad_csr);
  CHECK(e.message == "CSR PEM block is of type CERTIFICATE, not CERTIFICATE REQUEST");
}
