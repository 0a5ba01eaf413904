#include <catch2/catch.hpp>

#include <future>
#include <string>
#include <variant>

#include "base/base64.hpp"
#include "kube/connection_settings.hpp"
#include "kube/transport.hpp"
#include "support/sim_fixture.hpp"

using namespace ambient::kube;
namespace base = ambient::base;
using ambient::test::sim_fixture;
using namespace std::chrono_literals;

namespace {

/// A kubeconfig for the fixture's cluster whose user is an oidc auth provider with `id_token`.
std::string oidc_kubeconfig(sim_fixture& fx, const std::string& id_token) {
  return "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: "
         + fx.cluster().server_url() + "\n    certificate-authority-data: "
         + ambient::base::encode_base64(fx.cluster().ca_pem())
         + "\nusers:\n- name: u\n  user:\n    auth-provider:\n      name: oidc\n      config:\n"
           "        client-id: kubernetes\n        id-token: "
         + id_token
         + "\n        idp-issuer-url: https://issuer.example\ncontexts:\n- name: x\n  context: "
           "{cluster: c, user: u}\ncurrent-context: x\n";
}

int status_of(transport& t, const std::string& kubeconfig) {
  auto parsed = parse_kubeconfig(kubeconfig, "c", {});
  REQUIRE(std::holds_alternative<rest_config>(parsed));
  auto settings = to_connection_settings(std::get<rest_config>(parsed));
  REQUIRE(std::holds_alternative<connection_settings>(settings));
  auto client = t.add_client(std::get<connection_settings>(settings));
  std::promise<response_end> p;
  auto f = p.get_future();
  t.start(client, "GET", "/api/v1/namespaces", {}, nullptr,
          [&p](response_end e) { p.set_value(std::move(e)); });
  REQUIRE(f.wait_for(30s) == std::future_status::ready);
  return f.get().status;
}

} // namespace

TEST_CASE("an oidc kubeconfig reaches the API server with its id-token as the bearer token",
          "[kube][integration]") {
  sim_fixture fx;
  transport t;
  CHECK(status_of(t, oidc_kubeconfig(fx, fx.cluster().token())) == 200);
  CHECK(status_of(t, oidc_kubeconfig(fx, "not-a-token-the-server-issued")) == 401);
}
