#include <catch2/catch.hpp>

#include <string>
#include <variant>

#include "kube/connection_settings.hpp"
#include "kube/kubeconfig.hpp"
#include "support/kubeconfig_fixture.hpp"

using namespace ambient::kube;
using namespace ambient::test::kubeconfig_fixture;
using Catch::Matchers::Contains;

namespace {

/// The transport settings of a kubeconfig whose user is `user`, or the error of either step.
std::variant<connection_settings, kubeconfig_error> settings_of(const std::string& user,
                                                                const kubeconfig_policy& p = {}) {
  kubeconfig_builder b;
  b.user = user;
  auto parsed = parse_kubeconfig(b.text(), "cluster-2", p);
  if (auto* e = std::get_if<kubeconfig_error>(&parsed))
    return *e;
  return to_connection_settings(std::get<rest_config>(parsed));
}

std::string error_of(const std::string& user, const kubeconfig_policy& p = {}) {
  auto s = settings_of(user, p);
  REQUIRE(std::holds_alternative<kubeconfig_error>(s));
  return std::get<kubeconfig_error>(s).message;
}

} // namespace

TEST_CASE("an oidc auth-provider authenticates with its id-token as the bearer token", "[kube]") {
  auto s = settings_of("    auth-provider:\n      name: oidc\n      config:\n        id-token: "
                       + token
                       + "\n        refresh-token: r\n        idp-issuer-url: "
                         "https://issuer.example\n");
  REQUIRE(std::holds_alternative<connection_settings>(s));
  const auto& cs = std::get<connection_settings>(s);
  CHECK(cs.token == token);
  CHECK(cs.token_file.empty());
  CHECK(cs.client_cert_pem.empty());
}

TEST_CASE("an oidc auth-provider without an id-token is refused naming the field", "[kube]") {
  auto msg = error_of("    auth-provider:\n      name: oidc\n      config:\n        refresh-token: "
                      + token + "\n");
  CHECK_THAT(msg, Contains("cluster cluster-2: users[admin].user.auth-provider.config.id-token "
                           "is missing"));
  CHECK_THAT(msg, !Contains(token));
  CHECK_THAT(error_of("    auth-provider: {name: oidc}\n"),
             Contains("users[admin].user.auth-provider.config.id-token is missing"));
  CHECK_THAT(error_of("    auth-provider: {name: oidc, config: {id-token: \"\"}}\n"),
             Contains("auth-provider.config.id-token is missing"));
  CHECK_THAT(error_of("    auth-provider: {name: oidc, config: [x]}\n"),
             Contains("users[admin].user.auth-provider.config must be a mapping"));
  CHECK_THAT(error_of("    auth-provider: {name: oidc, config: {id-token: [x]}}\n"),
             Contains("users[admin].user.auth-provider.config.id-token"));
}

TEST_CASE("an oidc auth-provider next to a token is two auth methods", "[kube]") {
  CHECK_THAT(error_of("    token: " + token
                      + "\n    auth-provider: {name: oidc, config: {id-token: t}}\n"),
             Contains("has two auth methods (token and auth-provider)"));
}

TEST_CASE("a gcp auth-provider is refused as before: by default and by the transport", "[kube]") {
  const std::string gcp
      = "    auth-provider:\n      name: gcp\n      config:\n        access-token: " + token + "\n";
  CHECK(error_of(gcp)
        == "cluster cluster-2: users[admin].user.auth-provider gcp is not allowed (allow with "
           "--insecure-kubeconfig-options=authProvider)");
  CHECK(error_of(gcp, kubeconfig_policy{{kubeconfig_option::auth_provider}})
        == "context ctx: auth-provider credentials are allowed by policy but not supported by "
           "ambientd's transport; use inline data");
}
