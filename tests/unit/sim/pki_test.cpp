#include <catch2/catch.hpp>

#include <memory>
#include <set>
#include <string>
#include <vector>

#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "sim/pki.hpp"

using namespace ambient::sim;

namespace {

struct x509_free_fn {
  void operator()(X509* p) const {
    X509_free(p);
  }
};
using x509_ptr = std::unique_ptr<X509, x509_free_fn>;

x509_ptr parse(const std::string& pem) {
  std::unique_ptr<BIO, decltype(&BIO_free_all)> bio{
      BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), &BIO_free_all};
  return x509_ptr{PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)};
}

/// X509_verify_cert of `leaf` against `ca` as the only trust anchor, for `purpose`.
int verify(const std::string& ca_pem, const std::string& leaf_pem, int purpose) {
  auto ca = parse(ca_pem);
  auto leaf = parse(leaf_pem);
  REQUIRE(ca);
  REQUIRE(leaf);
  std::unique_ptr<X509_STORE, decltype(&X509_STORE_free)> store{X509_STORE_new(), &X509_STORE_free};
  REQUIRE(X509_STORE_add_cert(store.get(), ca.get()) == 1);
  std::unique_ptr<X509_STORE_CTX, decltype(&X509_STORE_CTX_free)> ctx{X509_STORE_CTX_new(),
                                                                      &X509_STORE_CTX_free};
  REQUIRE(X509_STORE_CTX_init(ctx.get(), store.get(), leaf.get(), nullptr) == 1);
  REQUIRE(X509_STORE_CTX_set_purpose(ctx.get(), purpose) == 1);
  if (X509_verify_cert(ctx.get()) == 1)
    return X509_V_OK;
  return X509_STORE_CTX_get_error(ctx.get());
}

std::multiset<std::string> organizations(const std::string& pem) {
  auto cert = parse(pem);
  REQUIRE(cert);
  std::multiset<std::string> out;
  const X509_NAME* subject = X509_get_subject_name(cert.get());
  for (int i = X509_NAME_get_index_by_NID(subject, NID_organizationName, -1); i >= 0;
       i = X509_NAME_get_index_by_NID(subject, NID_organizationName, i)) {
    const ASN1_STRING* data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, i));
    out.emplace(reinterpret_cast<const char*>(ASN1_STRING_get0_data(data)),
                static_cast<size_t>(ASN1_STRING_length(data)));
  }
  return out;
}

/// The URI SANs of a certificate, in order; `critical` receives the extension's criticality.
std::vector<std::string> uri_sans(const std::string& pem, bool* critical = nullptr) {
  auto cert = parse(pem);
  REQUIRE(cert);
  int crit = -1;
  std::unique_ptr<GENERAL_NAMES, decltype(&GENERAL_NAMES_free)> names{
      static_cast<GENERAL_NAMES*>(
          X509_get_ext_d2i(cert.get(), NID_subject_alt_name, &crit, nullptr)),
      &GENERAL_NAMES_free};
  if (critical != nullptr)
    *critical = crit == 1;
  std::vector<std::string> out;
  for (int i = 0; names && i < sk_GENERAL_NAME_num(names.get()); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(names.get(), i);
    if (name->type != GEN_URI)
      continue;
    const ASN1_STRING* uri = name->d.uniformResourceIdentifier;
    out.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(uri)),
                     static_cast<size_t>(ASN1_STRING_length(uri)));
  }
  return out;
}

} // namespace

TEST_CASE("a new certificate authority is a self-signed CA with the given name", "[sim]") {
  auto ca = certificate_authority::create("ambient-sim CA");
  CHECK(ca.cert_pem().starts_with("-----BEGIN CERTIFICATE-----"));
  CHECK(ca.key_pem().starts_with("-----BEGIN PRIVATE KEY-----"));
  CHECK(subject_common_name(ca.cert_pem()) == "ambient-sim CA");
  auto cert = parse(ca.cert_pem());
  REQUIRE(cert);
  CHECK(X509_check_ca(cert.get()) == 1);
  CHECK(X509_check_issued(cert.get(), cert.get()) == X509_V_OK);
  CHECK(verify(ca.cert_pem(), ca.cert_pem(), X509_PURPOSE_ANY) == X509_V_OK);
  auto other = certificate_authority::create("ambient-sim CA");
  CHECK(other.cert_pem() != ca.cert_pem());
}

TEST_CASE("an issued server certificate verifies against its CA and carries the SANs", "[sim]") {
  auto ca = certificate_authority::create("sim CA");
  auto issued = ca.issue_server("cluster-1-apiserver", {"kubernetes.default.svc", "localhost"},
                                {"127.0.0.1", "::1"});
  CHECK(issued.key_pem.starts_with("-----BEGIN PRIVATE KEY-----"));
  CHECK(subject_common_name(issued.cert_pem) == "cluster-1-apiserver");
  CHECK(verify(ca.cert_pem(), issued.cert_pem, X509_PURPOSE_SSL_SERVER) == X509_V_OK);

  auto cert = parse(issued.cert_pem);
  REQUIRE(cert);
  CHECK(X509_check_ca(cert.get()) == 0);
  CHECK(X509_check_host(cert.get(), "kubernetes.default.svc", 0, 0, nullptr) == 1);
  CHECK(X509_check_host(cert.get(), "localhost", 0, 0, nullptr) == 1);
  CHECK(X509_check_host(cert.get(), "example.com", 0, 0, nullptr) == 0);
  CHECK(X509_check_ip_asc(cert.get(), "127.0.0.1", 0) == 1);
  CHECK(X509_check_ip_asc(cert.get(), "::1", 0) == 1);
  CHECK(X509_check_ip_asc(cert.get(), "10.0.0.1", 0) == 0);
}

TEST_CASE("a server certificate does not verify against another CA", "[sim]") {
  auto ca = certificate_authority::create("sim CA");
  auto stranger = certificate_authority::create("sim CA");
  auto issued = ca.issue_server("apiserver", {"localhost"}, {"127.0.0.1"});
  CHECK(verify(stranger.cert_pem(), issued.cert_pem, X509_PURPOSE_SSL_SERVER) != X509_V_OK);
}

TEST_CASE("a server certificate refuses a SAN that is not an IP address", "[sim]") {
  auto ca = certificate_authority::create("sim CA");
  CHECK_THROWS_AS(ca.issue_server("apiserver", {}, {"not-an-ip"}), std::invalid_argument);
}

TEST_CASE("an issued client certificate names the user in CN and the groups in O", "[sim]") {
  auto ca = certificate_authority::create("sim CA");
  auto issued = ca.issue_client("ambient-reader", {"system:masters", "ambient:readers"});
  CHECK(subject_common_name(issued.cert_pem) == "ambient-reader");
  CHECK(organizations(issued.cert_pem)
        == std::multiset<std::string>{"ambient:readers", "system:masters"});
  CHECK(verify(ca.cert_pem(), issued.cert_pem, X509_PURPOSE_SSL_CLIENT) == X509_V_OK);
  CHECK(verify(ca.cert_pem(), issued.cert_pem, X509_PURPOSE_SSL_SERVER) != X509_V_OK);
}

TEST_CASE("an issued workload certificate carries its SPIFFE ID and serves either end of mTLS",
          "[sim]") {
  auto ca = certificate_authority::create("sim CA");
  auto issued = ca.issue_workload("echo", {"spiffe://cluster.local/ns/default/sa/echo"},
                                  {"echo.default.svc"}, {"10.0.0.7"});
  CHECK(issued.key_pem.starts_with("-----BEGIN PRIVATE KEY-----"));
  CHECK(subject_common_name(issued.cert_pem) == "echo");
  bool critical = true;
  CHECK(uri_sans(issued.cert_pem, &critical)
        == std::vector<std::string>{"spiffe://cluster.local/ns/default/sa/echo"});
  CHECK_FALSE(critical);
  CHECK(verify(ca.cert_pem(), issued.cert_pem, X509_PURPOSE_SSL_CLIENT) == X509_V_OK);
  CHECK(verify(ca.cert_pem(), issued.cert_pem, X509_PURPOSE_SSL_SERVER) == X509_V_OK);

  auto cert = parse(issued.cert_pem);
  REQUIRE(cert);
  CHECK(X509_check_ca(cert.get()) == 0);
  CHECK(X509_check_host(cert.get(), "echo.default.svc", 0, 0, nullptr) == 1);
  CHECK(X509_check_ip_asc(cert.get(), "10.0.0.7", 0) == 1);
}

TEST_CASE("a workload certificate without a common name has an empty subject and a critical SAN",
          "[sim]") {
  auto ca = certificate_authority::create("sim CA");
  auto issued = ca.issue_workload("", {"spiffe://cluster.local/ns/a/sa/x", "urn:example:second"});
  bool critical = false;
  CHECK(uri_sans(issued.cert_pem, &critical)
        == std::vector<std::string>{"spiffe://cluster.local/ns/a/sa/x", "urn:example:second"});
  CHECK(critical);
  CHECK(subject_common_name(issued.cert_pem).empty());
  auto cert = parse(issued.cert_pem);
  REQUIRE(cert);
  CHECK(X509_NAME_entry_count(X509_get_subject_name(cert.get())) == 0);
  CHECK(verify(ca.cert_pem(), issued.cert_pem, X509_PURPOSE_SSL_CLIENT) == X509_V_OK);
}

TEST_CASE("a workload certificate refuses a SAN that is not an IP address", "[sim]") {
  auto ca = certificate_authority::create("sim CA");
  CHECK_THROWS_AS(ca.issue_workload("w", {"spiffe://cluster.local/ns/a/sa/x"}, {}, {"10.0.0"}),
                  std::invalid_argument);
}

TEST_CASE("a server certificate has no URI SAN", "[sim]") {
  auto ca = certificate_authority::create("sim CA");
  CHECK(uri_sans(ca.issue_server("apiserver", {"localhost"}, {"127.0.0.1"}).cert_pem).empty());
}

TEST_CASE("subject_common_name of text that is not a certificate is empty", "[sim]") {
  CHECK(subject_common_name("").empty());
  CHECK(subject_common_name("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")
            .empty());
}

TEST_CASE("random_hex returns twice as many lowercase hex digits as bytes", "[sim]") {
  CHECK(random_hex(0).empty());
  auto token = random_hex(32);
  CHECK(token.size() == 64);
  CHECK(token.find_first_not_of("0123456789abcdef") == std::string::npos);
  CHECK(random_hex(32) != token);
}
