#include <catch2/catch.hpp>

#include <string>

#include "kube/kubeconfig.hpp"
#include "support/kubeconfig_fixture.hpp"

using namespace ambient::kube;
using namespace ambient::test::kubeconfig_fixture;
using Catch::Matchers::Contains;

namespace {

const std::string cert_user
    = "    client-certificate-data: " + b64(cert) + "\n    client-key-data: " + b64(key) + "\n";

kubeconfig_policy allow(kubeconfig_option opt) {
  return kubeconfig_policy{{opt}};
}

rest_config parse_ok(const std::string& text, const kubeconfig_policy& policy = {}) {
  auto r = parse_kubeconfig(text, "cluster-2", policy);
  if (auto* e = std::get_if<kubeconfig_error>(&r))
    FAIL(e->message);
  return std::get<rest_config>(r);
}

std::string parse_error(const std::string& text, const kubeconfig_policy& policy = {}) {
  auto r = parse_kubeconfig(text, "cluster-2", policy);
  REQUIRE(std::holds_alternative<kubeconfig_error>(r));
  const auto& msg = std::get<kubeconfig_error>(r).message;
  CHECK_THAT(msg, Contains("cluster cluster-2: "));
  return msg;
}

} // namespace

TEST_CASE("a token kubeconfig resolves the current context", "[kube]") {
  auto rc = parse_ok(kubeconfig_builder{}.text());
  CHECK(rc.server == "https://10.0.0.1:6443");
  CHECK(rc.token == token);
  CHECK(rc.client_cert_pem.empty());
  CHECK(rc.context_name == "ctx");
  CHECK(rc.cluster_name == "c1");
  CHECK(rc.user_name == "admin");
  CHECK(rc.default_namespace == "default");
  CHECK(!rc.insecure_skip_tls_verify);
  CHECK(!rc.uses_exec);
  CHECK(!rc.uses_auth_provider);
}

TEST_CASE("a client certificate kubeconfig decodes the certificate and key", "[kube]") {
  kubeconfig_builder b;
  b.user = cert_user;
  auto rc = parse_ok(b.text());
  CHECK(rc.client_cert_pem == cert);
  CHECK(rc.client_key_pem == key);
  CHECK(rc.token.empty());
}

TEST_CASE("certificate-authority-data is decoded with or without padding and line breaks",
          "[kube]") {
  kubeconfig_builder b;
  CHECK(parse_ok(b.text()).ca_pem == ca);
  auto unpadded = b64("ab");
  REQUIRE(unpadded.back() == '=');
  while (unpadded.back() == '=')
    unpadded.pop_back();
  b.cluster = "    server: https://h:6443\n    certificate-authority-data: " + unpadded + "\n";
  CHECK(parse_ok(b.text()).ca_pem == "ab");
  auto folded = b64(ca);
  folded.insert(8, "\n      ");
  b.cluster
      = "    server: https://h:6443\n    certificate-authority-data: |\n      " + folded + "\n";
  CHECK(parse_ok(b.text()).ca_pem == ca);
}

TEST_CASE("insecure-skip-tls-verify is read and refused together with a CA", "[kube]") {
  kubeconfig_builder b;
  b.cluster = "    server: https://h:6443\n    insecure-skip-tls-verify: true\n";
  auto rc = parse_ok(b.text());
  CHECK(rc.insecure_skip_tls_verify);
  CHECK(rc.ca_pem.empty());
  b.cluster = "    server: https://h:6443\n    insecure-skip-tls-verify: maybe\n";
  CHECK_THAT(parse_error(b.text()),
             Contains("clusters[c1].cluster.insecure-skip-tls-verify must be true or false"));
  b.cluster = "    server: https://h:6443\n    insecure-skip-tls-verify: true\n"
              "    certificate-authority-data: "
              + b64(ca) + "\n";
  CHECK_THAT(parse_error(b.text()), Contains("insecure-skip-tls-verify together with"));
}

TEST_CASE("tls-server-name is read from the cluster", "[kube]") {
  kubeconfig_builder b;
  b.cluster += "    tls-server-name: api.remote.example\n";
  CHECK(parse_ok(b.text()).tls_server_name == "api.remote.example");
}

TEST_CASE("the default namespace comes from the context", "[kube]") {
  kubeconfig_builder b;
  b.context += "    namespace: istio-system\n";
  CHECK(parse_ok(b.text()).default_namespace == "istio-system");
}

TEST_CASE("exec is refused naming the field and the cluster", "[kube]") {
  kubeconfig_builder b;
  b.user = "    exec:\n      command: /bin/sh\n      apiVersion: client.authentication.k8s.io/v1\n";
  CHECK(parse_error(b.text())
        == "cluster cluster-2: users[admin].user.exec is not allowed"
           " (allow with --insecure-kubeconfig-options=exec)");
}

TEST_CASE("exec is recorded when the exec option allows it", "[kube]") {
  kubeconfig_builder b;
  b.user = "    exec:\n      command: /bin/sh\n      apiVersion: client.authentication.k8s.io/v1\n";
  auto rc = parse_ok(b.text(), allow(kubeconfig_option::exec));
  CHECK(rc.uses_exec);
}

TEST_CASE("an auth-provider other than oidc is refused naming the field and the cluster",
          "[kube]") {
  kubeconfig_builder b;
  b.user
      = "    auth-provider:\n      name: gcp\n      config:\n        access-token: " + token + "\n";
  auto msg = parse_error(b.text());
  CHECK_THAT(msg, Contains("users[admin].user.auth-provider gcp is not allowed"));
  CHECK_THAT(msg, Contains("--insecure-kubeconfig-options=authProvider"));
}

TEST_CASE("an auth-provider is recorded when oidc or when the authProvider option allows it",
          "[kube]") {
  kubeconfig_builder b;
  b.user = "    auth-provider:\n      name: oidc\n      config:\n        id-token: x\n";
  auto rc = parse_ok(b.text());
  CHECK(rc.uses_auth_provider);
  CHECK(rc.auth_provider_name == "oidc");
  b.user = "    auth-provider:\n      name: gcp\n";
  rc = parse_ok(b.text(), allow(kubeconfig_option::auth_provider));
  CHECK(rc.uses_auth_provider);
  CHECK(rc.auth_provider_name == "gcp");
}

TEST_CASE("tokenFile is refused unless the tokenFile option allows it", "[kube]") {
  kubeconfig_builder b;
  b.user = "    tokenFile: /var/run/secrets/token\n";
  CHECK_THAT(parse_error(b.text()),
             Contains("users[admin].user.tokenFile is not allowed"
                      " (allow with --insecure-kubeconfig-options=tokenFile)"));
  CHECK(parse_ok(b.text(), allow(kubeconfig_option::token_file)).token_file
        == "/var/run/secrets/token");
}

TEST_CASE("a client-certificate path is refused unless the clientCertificate option allows it",
          "[kube]") {
  kubeconfig_builder b;
  b.user = "    client-certificate: /etc/cert.pem\n    client-key-data: " + b64(key) + "\n";
  CHECK_THAT(parse_error(b.text()),
             Contains("users[admin].user.client-certificate is not allowed"
                      " (allow with --insecure-kubeconfig-options=clientCertificate)"));
  auto rc = parse_ok(b.text(), allow(kubeconfig_option::client_cert_file));
  CHECK(rc.client_cert_file == "/etc/cert.pem");
  CHECK(rc.client_key_pem == key);
}

TEST_CASE("a client-key path is refused unless the clientKey option allows it", "[kube]") {
  kubeconfig_builder b;
  b.user = "    client-certificate-data: " + b64(cert) + "\n    client-key: /etc/key.pem\n";
  CHECK_THAT(parse_error(b.text()),
             Contains("users[admin].user.client-key is not allowed"
                      " (allow with --insecure-kubeconfig-options=clientKey)"));
  CHECK(parse_ok(b.text(), allow(kubeconfig_option::client_key_file)).client_key_file
        == "/etc/key.pem");
}

TEST_CASE("a certificate-authority path is refused unless the certificateAuthority option allows "
          "it",
          "[kube]") {
  kubeconfig_builder b;
  b.cluster = "    server: https://h:6443\n    certificate-authority: /etc/ca.pem\n";
  CHECK_THAT(parse_error(b.text()),
             Contains("clusters[c1].cluster.certificate-authority is not allowed"
                      " (allow with --insecure-kubeconfig-options=certificateAuthority)"));
  CHECK(parse_ok(b.text(), allow(kubeconfig_option::ca_file)).ca_file == "/etc/ca.pem");
}

TEST_CASE("a refused feature in a user the current context does not use is still refused",
          "[kube]") {
  kubeconfig_builder b;
  b.user += "- name: other\n  user:\n    exec:\n      command: /bin/sh\n";
  CHECK_THAT(parse_error(b.text()), Contains("users[other].user.exec is not allowed"));
}

TEST_CASE("option names parse as the flag spells them", "[kube]") {
  using opt = kubeconfig_option;
  CHECK(parse_kubeconfig_option("exec") == opt::exec);
  CHECK(parse_kubeconfig_option("authProvider") == opt::auth_provider);
  CHECK(parse_kubeconfig_option("tokenFile") == opt::token_file);
  CHECK(parse_kubeconfig_option("clientKey") == opt::client_key_file);
  CHECK(parse_kubeconfig_option("clientCertificate") == opt::client_cert_file);
  CHECK(parse_kubeconfig_option("certificateAuthority") == opt::ca_file);
  CHECK(!parse_kubeconfig_option("Exec"));
  CHECK(!parse_kubeconfig_option("gcp"));
  CHECK(!parse_kubeconfig_option(""));
  for (auto o : {opt::exec, opt::auth_provider, opt::token_file, opt::client_key_file,
                 opt::client_cert_file, opt::ca_file})
    CHECK(parse_kubeconfig_option(to_string(o)) == o);
}

TEST_CASE("the flag value parses into a policy and rejects unknown names", "[kube]") {
  auto p = parse_kubeconfig_policy(" exec, tokenFile,,");
  REQUIRE(std::holds_alternative<kubeconfig_policy>(p));
  CHECK(std::get<kubeconfig_policy>(p).allowed
        == std::set<kubeconfig_option>{kubeconfig_option::exec, kubeconfig_option::token_file});
  auto empty = parse_kubeconfig_policy("");
  REQUIRE(std::holds_alternative<kubeconfig_policy>(empty));
  CHECK(std::get<kubeconfig_policy>(empty).allowed.empty());
  auto bad = parse_kubeconfig_policy("exec,gcp");
  REQUIRE(std::holds_alternative<kubeconfig_error>(bad));
  CHECK_THAT(std::get<kubeconfig_error>(bad).message, Contains("\"gcp\""));
}

TEST_CASE("a user with two auth methods is refused", "[kube]") {
  kubeconfig_builder b;
  b.user = "    token: " + token + "\n" + cert_user;
  CHECK_THAT(parse_error(b.text()),
             Contains("users[admin].user has two auth methods (token and client certificate)"));
  b.user = "    token: " + token + "\n    exec:\n      command: /bin/sh\n";
  CHECK_THAT(parse_error(b.text(), allow(kubeconfig_option::exec)),
             Contains("has two auth methods (token and exec)"));
}

TEST_CASE("a user with no credentials is refused", "[kube]") {
  kubeconfig_builder b;
  b.user = "    {}\n";
  CHECK_THAT(parse_error(b.text()), Contains("users[admin].user has no credentials"));
}

TEST_CASE("a client certificate needs its key and a key needs its certificate", "[kube]") {
  kubeconfig_builder b;
  b.user = "    client-certificate-data: " + b64(cert) + "\n";
  CHECK_THAT(parse_error(b.text()), Contains("has a client certificate but no client key"));
  b.user = "    client-key-data: " + b64(key) + "\n";
  CHECK_THAT(parse_error(b.text()), Contains("has a client key but no client certificate"));
}

TEST_CASE("bad base64 is refused naming the field", "[kube]") {
  kubeconfig_builder b;
  b.cluster = "    server: https://h:6443\n    certificate-authority-data: abc!def\n";
  CHECK_THAT(parse_error(b.text()),
             Contains("clusters[c1].cluster.certificate-authority-data is not valid base64"));
  b = kubeconfig_builder{};
  b.user = "    client-certificate-data: " + b64(cert) + "\n    client-key-data: QUJD=QUJD\n";
  CHECK_THAT(parse_error(b.text()),
             Contains("users[admin].user.client-key-data is not valid base64"));
  b.user = "    client-certificate-data: QUJDR\n    client-key-data: " + b64(key) + "\n";
  CHECK_THAT(parse_error(b.text()),
             Contains("users[admin].user.client-certificate-data is not valid base64"));
}

TEST_CASE("broken YAML and documents that are not kubeconfigs are refused clearly", "[kube]") {
  CHECK_THAT(parse_error("clusters: [a, b\n"), Contains("kubeconfig is not valid YAML (line"));
  CHECK_THAT(parse_error(""), Contains("kubeconfig is empty"));
  CHECK_THAT(parse_error("# only a comment\n"), Contains("kubeconfig is empty"));
  CHECK_THAT(parse_error("- a\n- b\n"), Contains("kubeconfig is not a mapping"));
  CHECK_THAT(parse_error("just text"), Contains("kubeconfig is not a mapping"));
  CHECK_THAT(parse_error("clusters: 3\ncurrent-context: x\n"), Contains("clusters must be a list"));
  CHECK_THAT(parse_error("users:\n- name: u\n  user: [1]\n"),
             Contains("users[u].user must be a mapping"));
}

TEST_CASE("a missing current-context is refused", "[kube]") {
  kubeconfig_builder b;
  b.current = "";
  CHECK_THAT(parse_error(b.text()), Contains("current-context is missing"));
}

TEST_CASE("a current-context naming no context is refused", "[kube]") {
  kubeconfig_builder b;
  b.current = "elsewhere";
  CHECK_THAT(parse_error(b.text()),
             Contains("current-context names \"elsewhere\" but contexts has no such entry"));
}

TEST_CASE("a context naming no cluster is refused", "[kube]") {
  kubeconfig_builder b;
  b.context = "    cluster: c9\n    user: admin\n";
  CHECK_THAT(parse_error(b.text()),
             Contains("contexts[ctx].context.cluster names \"c9\" but clusters has no such entry"));
  b.context = "    user: admin\n";
  CHECK_THAT(parse_error(b.text()), Contains("contexts[ctx].context.cluster is missing"));
}

TEST_CASE("a context naming no user is refused", "[kube]") {
  kubeconfig_builder b;
  b.context = "    cluster: c1\n    user: nobody\n";
  CHECK_THAT(parse_error(b.text()),
             Contains("contexts[ctx].context.user names \"nobody\" but users has no such entry"));
  b.context = "    cluster: c1\n";
  CHECK_THAT(parse_error(b.text()), Contains("contexts[ctx].context.user is missing"));
}

TEST_CASE("a plain http server is refused and the server is required", "[kube]") {
  kubeconfig_builder b;
  b.cluster = "    server: http://10.0.0.1:8080\n";
  CHECK_THAT(parse_error(b.text()),
             Contains("clusters[c1].cluster.server uses plain http (ambientd requires https://)"));
  b.cluster = "    server: 10.0.0.1:6443\n";
  CHECK_THAT(parse_error(b.text()),
             Contains("clusters[c1].cluster.server must be an https:// URL"));
  b.cluster = "    certificate-authority-data: " + b64(ca) + "\n";
  CHECK_THAT(parse_error(b.text()), Contains("clusters[c1].cluster.server is missing"));
}

TEST_CASE("secrets never appear in error messages", "[kube]") {
  const std::string secret_key_b64 = b64(key);
  kubeconfig_builder two;
  two.user = "    token: " + token + "\n" + cert_user;
  kubeconfig_builder no_key;
  no_key.user = "    client-certificate-data: " + b64(cert) + "\n";
  kubeconfig_builder bad_key;
  bad_key.user
      = "    client-certificate-data: " + b64(cert) + "\n    client-key-data: " + token + "!\n";
  kubeconfig_builder provider;
  provider.user
      = "    auth-provider:\n      name: gcp\n      config:\n        access-token: " + token + "\n";
  kubeconfig_builder exec;
  exec.user = "    exec:\n      command: /bin/sh\n      env:\n      - name: T\n        value: "
              + token + "\n";
  kubeconfig_builder http;
  http.cluster = "    server: http://user:" + token + "@h\n";
  kubeconfig_builder mapped_token;
  mapped_token.user = "    token: {" + token + ": 1}\n    client-key-data: " + b64(key) + "\n";
  const std::string broken = "users:\n- name: u\n  user:\n    token: [" + token + "\n";
  const std::string bad_escape = "users:\n- name: u\n  user:\n    token: \"" + token + "\\q\"\n";

  for (const auto& text : {two.text(), no_key.text(), bad_key.text(), provider.text(), exec.text(),
                           http.text(), mapped_token.text(), broken, bad_escape}) {
    auto msg = parse_error(text);
    INFO(msg);
    CHECK(msg.find(token) == std::string::npos);
    CHECK(msg.find("s3cr3t") == std::string::npos);
    CHECK(msg.find("MHckeybytes") == std::string::npos);
    CHECK(msg.find("MIIclientcert") == std::string::npos);
    CHECK(msg.find("BEGIN") == std::string::npos);
    CHECK(msg.find(secret_key_b64.substr(0, 16)) == std::string::npos);
    CHECK(msg.find(b64(cert).substr(0, 16)) == std::string::npos);
  }
}
