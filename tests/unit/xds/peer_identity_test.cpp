#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <grpcpp/security/auth_context.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "sim/pki.hpp"
#include "xds/peer_identity.hpp"
#include "xds/server_credentials.hpp"

using namespace ambient::xds;
using ambient::sim::cert_and_key;
using ambient::sim::certificate_authority;
using Catch::Matchers::Contains;

namespace {

constexpr const char* echo_id = "spiffe://cluster.local/ns/default/sa/echo";
constexpr const char* istiod_id = "spiffe://cluster.local/ns/istio-system/sa/istiod";

/// A CA made once for the whole file: key generation is the slow part.
const certificate_authority& test_ca() {
  static const auto ca = certificate_authority::create("peer identity test CA");
  return ca;
}

/// A fresh temporary directory, removed with the object.
struct temp_dir {
  std::filesystem::path path;
  temp_dir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "ambient-peer-XXXXXX").string();
    REQUIRE(::mkdtemp(pattern.data()) != nullptr);
    path = pattern;
  }
  ~temp_dir() {
    std::filesystem::remove_all(path);
  }
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;
  /// Writes `text` to `name` in the directory; returns the file's path.
  std::string write(const std::string& name, const std::string& text) const {
    std::ofstream{path / name, std::ios::binary | std::ios::trunc} << text;
    return (path / name).string();
  }
};

/// Good mTLS listener files in `dir`: a localhost server certificate, its key, and the CA.
tls_files write_good_files(const temp_dir& dir) {
  auto server = test_ca().issue_server("localhost", {"localhost"}, {"127.0.0.1"});
  return {dir.write("tls.crt", server.cert_pem), dir.write("tls.key", server.key_pem),
          dir.write("ca.crt", test_ca().cert_pem())};
}

/// `key_pem` re-encoded as an encrypted PKCS#8 PEM.
std::string encrypt_key(const std::string& key_pem) {
  std::unique_ptr<BIO, decltype(&BIO_free_all)> in{
      BIO_new_mem_buf(key_pem.data(), static_cast<int>(key_pem.size())), &BIO_free_all};
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key{
      PEM_read_bio_PrivateKey(in.get(), nullptr, nullptr, nullptr), &EVP_PKEY_free};
  REQUIRE(key);
  std::unique_ptr<BIO, decltype(&BIO_free_all)> out{BIO_new(BIO_s_mem()), &BIO_free_all};
  char passphrase[] = "secret";
  REQUIRE(PEM_write_bio_PKCS8PrivateKey(out.get(), key.get(), EVP_aes_256_cbc(), passphrase, 6,
                                        nullptr, nullptr)
          == 1);
  char* data = nullptr;
  long len = BIO_get_mem_data(out.get(), &data);
  return std::string(data, static_cast<size_t>(len));
}

/// An AuthContext holding given properties, as gRPC's would after a handshake.
class fake_auth_context : public grpc::AuthContext {
public:
  bool IsPeerAuthenticated() const override {
    return !identity_name_.empty();
  }
  std::vector<grpc::string_ref> GetPeerIdentity() const override {
    return FindPropertyValues(identity_name_);
  }
  std::string GetPeerIdentityPropertyName() const override {
    return identity_name_;
  }
  std::vector<grpc::string_ref> FindPropertyValues(const std::string& name) const override {
    std::vector<grpc::string_ref> out;
    for (const auto& [key, value] : properties_)
      if (key == name)
        out.emplace_back(value);
    return out;
  }
  grpc::AuthPropertyIterator begin() const override {
    return empty_iterator{};
  }
  grpc::AuthPropertyIterator end() const override {
    return empty_iterator{};
  }
  void AddProperty(const std::string& key, const grpc::string_ref& value) override {
    properties_.emplace_back(key, std::string(value.data(), value.size()));
  }
  bool SetPeerIdentityPropertyName(const std::string& name) override {
    identity_name_ = name;
    return true;
  }

private:
  /// The base's default constructor (an empty iterator) is protected.
  struct empty_iterator : grpc::AuthPropertyIterator {
    empty_iterator() = default; // not an aggregate: the base is built from here, not the caller
  };

  std::vector<std::pair<std::string, std::string>> properties_;
  std::string identity_name_;
};

} // namespace

TEST_CASE("uri_sans_of_pem reads the URI SANs of a workload certificate in order", "[xds]") {
  auto issued
      = test_ca().issue_workload("echo", {echo_id, "urn:example:other"}, {"echo.default.svc"});
  auto sans = uri_sans_of_pem(issued.cert_pem);
  REQUIRE(sans.ok());
  CHECK(sans.uris == std::vector<std::string>{echo_id, "urn:example:other"});
}

TEST_CASE("uri_sans_of_pem reads the first certificate of a chain", "[xds]") {
  auto issued = test_ca().issue_workload("", {echo_id});
  auto sans = uri_sans_of_pem(issued.cert_pem + test_ca().cert_pem());
  REQUIRE(sans.ok());
  CHECK(sans.uris == std::vector<std::string>{echo_id});
}

TEST_CASE("uri_sans_of_pem of a certificate without URI SANs is an empty list", "[xds]") {
  auto sans = uri_sans_of_pem(test_ca().issue_server("localhost", {"localhost"}, {}).cert_pem);
  CHECK(sans.ok());
  CHECK(sans.uris.empty());
  CHECK(uri_sans_of_pem(test_ca().cert_pem()).ok()); // the CA has no SAN extension at all
}

TEST_CASE("uri_sans_of_pem reports text that is not a PEM certificate", "[xds]") {
  for (std::string text :
       {std::string{}, std::string{"garbage"}, test_ca().key_pem(),
        std::string{"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"}}) {
    auto sans = uri_sans_of_pem(text);
    CHECK_FALSE(sans.ok());
    CHECK_THAT(sans.error, Contains("not a PEM certificate"));
    CHECK(sans.uris.empty());
  }
}

TEST_CASE("uri_sans_of_pem refuses a URI SAN with a control character", "[xds]") {
  auto issued = test_ca().issue_workload("w", {std::string{echo_id} + "\nforged log line"});
  auto sans = uri_sans_of_pem(issued.cert_pem);
  CHECK_FALSE(sans.ok());
  CHECK_THAT(sans.error, Contains("control character"));
}

TEST_CASE("an exact allow-list entry allows only that SPIFFE ID", "[xds]") {
  spiffe_allow_list allow{{echo_id}};
  CHECK_FALSE(allow.empty());
  CHECK(allow.allows({echo_id}));
  CHECK(allow.allows({"urn:example:other", echo_id}));
  CHECK_FALSE(allow.allows({std::string{echo_id} + "2"}));
  CHECK_FALSE(allow.allows({"spiffe://cluster.local/ns/default/sa"}));
  CHECK_FALSE(allow.allows({"spiffe://other.domain/ns/default/sa/echo"}));
  CHECK_FALSE(allow.allows({}));
}

TEST_CASE("a trailing /* entry allows every ID under the path but not the path itself", "[xds]") {
  spiffe_allow_list allow{{"spiffe://cluster.local/ns/istio-system/*"}};
  CHECK(allow.allows({istiod_id}));
  CHECK(allow.allows({"spiffe://cluster.local/ns/istio-system/sa/ztunnel"}));
  CHECK_FALSE(allow.allows({"spiffe://cluster.local/ns/istio-system"}));
  CHECK_FALSE(allow.allows({"spiffe://cluster.local/ns/istio-system/"}));
  CHECK_FALSE(allow.allows({"spiffe://cluster.local/ns/istio-system-evil/sa/x"}));
  CHECK_FALSE(allow.allows({echo_id}));

  spiffe_allow_list whole_domain{{"spiffe://cluster.local/*"}};
  CHECK(whole_domain.allows({echo_id}));
  CHECK_FALSE(whole_domain.allows({"spiffe://cluster.local.evil/ns/a/sa/b"}));
}

TEST_CASE("the allow-list matches only URIs that are SPIFFE IDs", "[xds]") {
  spiffe_allow_list allow{{"spiffe://cluster.local/*"}};
  CHECK_FALSE(allow.allows({"https://cluster.local/ns/a/sa/b", "cluster.local/ns/a/sa/b"}));
}

TEST_CASE("an empty allow-list allows any peer", "[xds]") {
  spiffe_allow_list allow;
  CHECK(allow.empty());
  CHECK(allow.entries().empty());
  CHECK(allow.allows({echo_id}));
  CHECK(allow.allows({"urn:example:other"}));
  CHECK(allow.allows({}));
}

TEST_CASE("an invalid allow-list entry throws naming the entry", "[xds]") {
  for (const char* entry :
       {"cluster.local/ns/a/sa/b", "https://cluster.local/ns/a", "spiffe://", "spiffe:///ns/a/sa/b",
        "spiffe:///*", "spiffe://*", "spiffe://cluster.local/ns/a b",
        "spiffe://cluster.local/ns/a\t", "spiffe://cluster.local/ns/*/sa/b",
        "spiffe://cluster.local/ns/a*", "spiffe://*.local/ns/a", "spiffe://cluster.local/**", ""}) {
    INFO(entry);
    CHECK_THROWS_AS(spiffe_allow_list{{entry}}, std::invalid_argument);
    CHECK_THROWS_WITH(spiffe_allow_list({echo_id, entry}),
                      Contains('"' + std::string{entry} + '"'));
  }
}

TEST_CASE("parse splits a comma-separated flag value, trimming and skipping empty entries",
          "[xds]") {
  auto allow = spiffe_allow_list::parse(
      " spiffe://cluster.local/ns/istio-system/* ,, spiffe://cluster.local/ns/default/sa/echo,");
  CHECK(allow.entries()
        == std::vector<std::string>{"spiffe://cluster.local/ns/istio-system/*", echo_id});
  CHECK(allow.allows({istiod_id}));
  CHECK(spiffe_allow_list::parse(echo_id).entries() == std::vector<std::string>{echo_id});
  CHECK(spiffe_allow_list::parse("").empty());
  CHECK(spiffe_allow_list::parse(" , ,").empty());
}

TEST_CASE("parse validates entries like the constructor", "[xds]") {
  CHECK_THROWS_WITH(spiffe_allow_list::parse(std::string{echo_id} + ", cluster.local/ns/a"),
                    Contains("\"cluster.local/ns/a\""));
  CHECK_THROWS_AS(spiffe_allow_list::parse("spiffe://cluster.local/ns/*/sa/b"),
                  std::invalid_argument);
}

TEST_CASE("certificate_identity gives no identity on a plaintext listener", "[xds]") {
  auto ztunnel = test_ca().issue_workload("", {istiod_id}).cert_pem;
  for (const char* type : {"insecure", ""}) {
    auto id = certificate_identity(type, ztunnel);
    CHECK_FALSE(id.over_tls);
    CHECK(id.spiffe_ids.empty());
    CHECK(id.error.empty());
  }
}

TEST_CASE("certificate_identity over TLS reads the SPIFFE IDs of the client certificate", "[xds]") {
  auto two = test_ca().issue_workload("", {echo_id, "urn:x", istiod_id}).cert_pem;
  for (const char* type : {"ssl", "tls"}) {
    auto id = certificate_identity(type, two);
    CHECK(id.over_tls);
    CHECK(id.spiffe_ids == std::vector<std::string>{echo_id, istiod_id});
    CHECK(id.error.empty());
  }
}

TEST_CASE("certificate_identity over TLS without a certificate is no error", "[xds]") {
  for (const auto& pem : {std::optional<std::string>{}, std::optional<std::string>{""}}) {
    auto id = certificate_identity("ssl", pem);
    CHECK(id.over_tls);
    CHECK(id.spiffe_ids.empty());
    CHECK(id.error.empty());
  }
}

TEST_CASE("certificate_identity names a certificate that proves no SPIFFE ID", "[xds]") {
  auto no_spiffe = test_ca().issue_workload("w", {"urn:example:w"}, {"w.example"}).cert_pem;
  CHECK(certificate_identity("ssl", no_spiffe).error == "client certificate has no SPIFFE ID");
  auto server = test_ca().issue_server("localhost", {"localhost"}, {}).cert_pem;
  CHECK(certificate_identity("ssl", server).error == "client certificate has no SPIFFE ID");
  CHECK_THAT(certificate_identity("ssl", std::string{"garbage"}).error,
             Contains("client certificate: not a PEM certificate"));
}

TEST_CASE("allow_list_refusal names every refused SPIFFE ID", "[xds]") {
  spiffe_allow_list allow{{"spiffe://cluster.local/ns/istio-system/*"}};
  CHECK(allow_list_refusal({istiod_id}, allow).empty());
  CHECK(allow_list_refusal({echo_id, "spiffe://other/ns/a/sa/b"}, allow)
        == "SPIFFE ID spiffe://cluster.local/ns/default/sa/echo, spiffe://other/ns/a/sa/b is not "
           "on the allow-list");
  CHECK(allow_list_refusal({echo_id}, spiffe_allow_list{}).empty());
}

TEST_CASE("certificate_identity reads the transport type and leaf certificate from the auth "
          "context",
          "[xds]") {
  fake_auth_context plaintext;
  plaintext.AddProperty("transport_security_type", "insecure");
  CHECK_FALSE(certificate_identity(plaintext).over_tls);

  fake_auth_context no_cert;
  no_cert.AddProperty("transport_security_type", "ssl");
  CHECK(certificate_identity(no_cert).over_tls);
  CHECK(certificate_identity(no_cert).spiffe_ids.empty());

  fake_auth_context with_cert;
  with_cert.AddProperty("transport_security_type", "ssl");
  with_cert.AddProperty("x509_pem_cert", test_ca().issue_workload("", {echo_id}).cert_pem);
  CHECK(certificate_identity(with_cert).spiffe_ids == std::vector<std::string>{echo_id});
}

TEST_CASE("make_server_credentials builds credentials from good files", "[xds]") {
  temp_dir dir;
  auto result = make_server_credentials(write_good_files(dir));
  CHECK(result.error.empty());
  CHECK(result.creds != nullptr);
}

TEST_CASE("make_server_credentials accepts a CA bundle of several certificates", "[xds]") {
  temp_dir dir;
  auto files = write_good_files(dir);
  auto other = certificate_authority::create("other CA");
  files.ca_file = dir.write("bundle.crt", other.cert_pem() + "\n" + test_ca().cert_pem());
  auto result = make_server_credentials(files);
  CHECK(result.error.empty());
  CHECK(result.creds != nullptr);
}

TEST_CASE("make_server_credentials names a missing or empty file", "[xds]") {
  temp_dir dir;
  auto good = write_good_files(dir);
  auto missing = (dir.path / "missing.pem").string();
  auto empty = dir.write("empty.pem", "");
  for (auto [field, what] :
       {std::pair{&tls_files::cert_file, "certificate file "},
        std::pair{&tls_files::key_file, "key file "}, std::pair{&tls_files::ca_file, "CA file "}}) {
    auto files = good;
    files.*field = missing;
    auto result = make_server_credentials(files);
    CHECK(result.creds == nullptr);
    CHECK_THAT(result.error, Contains(what + missing + ": cannot read"));
    files.*field = empty;
    result = make_server_credentials(files);
    CHECK(result.creds == nullptr);
    CHECK(result.error == what + empty + ": is empty");
  }
}

TEST_CASE("make_server_credentials refuses a file that is not PEM of its kind", "[xds]") {
  temp_dir dir;
  auto good = write_good_files(dir);
  auto garbage = dir.write("garbage.pem", "not a certificate\n");
  auto files = good;
  files.cert_file = garbage;
  CHECK_THAT(make_server_credentials(files).error,
             Contains("certificate file " + garbage + ": not a PEM certificate"));
  files = good;
  files.cert_file = good.key_file;
  CHECK_THAT(make_server_credentials(files).error,
             Contains("certificate file " + good.key_file + ": not a PEM certificate"));
  files = good;
  files.key_file = good.cert_file;
  CHECK_THAT(make_server_credentials(files).error,
             Contains("key file " + good.cert_file + ": not a PEM private key"));
  files = good;
  files.ca_file = garbage;
  CHECK_THAT(make_server_credentials(files).error,
             Contains("CA file " + garbage + ": not a PEM certificate"));
  files = good;
  files.ca_file = dir.write("broken-bundle.crt",
                            test_ca().cert_pem()
                                + "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
  CHECK_THAT(make_server_credentials(files).error,
             Contains("CA file " + files.ca_file + ": certificate 2 does not parse"));
}

TEST_CASE("make_server_credentials refuses a key that does not match the certificate", "[xds]") {
  temp_dir dir;
  auto files = write_good_files(dir);
  files.key_file = dir.write("other.key", test_ca().issue_server("other", {}, {}).key_pem);
  auto result = make_server_credentials(files);
  CHECK(result.creds == nullptr);
  CHECK(result.error
        == "key file " + files.key_file + ": does not match the certificate in " + files.cert_file);
}

TEST_CASE("make_server_credentials refuses an encrypted key without prompting for it", "[xds]") {
  temp_dir dir;
  auto files = write_good_files(dir);
  std::ifstream in{files.key_file};
  std::string key_pem{std::istreambuf_iterator<char>{in}, {}};
  files.key_file = dir.write("encrypted.key", encrypt_key(key_pem));
  auto result = make_server_credentials(files);
  CHECK(result.creds == nullptr);
  CHECK_THAT(result.error, Contains("key file " + files.key_file + ": an encrypted private key"));
}
