#include <catch2/catch.hpp>

#include <optional>
#include <string>
#include <vector>

#include "mesh/authorization_policy.hpp"
#include "mesh/peer_authentication.hpp"
#include "mesh/workload_policies.hpp"
#include "support/peer_authentication_builders.hpp"

using namespace ambient;
using namespace ambient::test;
using mesh::mtls_mode;
using strings = std::vector<std::string>;

namespace {

constexpr auto unset = mtls_mode::unset;
constexpr auto strict = mtls_mode::strict;
constexpr auto permissive = mtls_mode::permissive;
constexpr auto disable = mtls_mode::disable;

const kube::string_map web{{"app", "web"}, {"tier", "front"}};
const std::string static_key = "istio-system/istio_converted_static_strict";
const std::string converted_wl = "demo/converted_peer_authentication_wl";

/// An AuthorizationPolicy `ns/name` with `selector`, converted as ambientd would.
mesh::authorization_policy make_ap(const std::string& ns, const std::string& name,
                                   std::optional<kube::string_map> selector,
                                   const std::string& action = "ALLOW") {
  mesh::authorization_policy ap;
  ap.meta.namespace_ = ns;
  ap.meta.name = name;
  ap.selector = std::move(selector);
  ap.action = action;
  return ap;
}

/// The index of `aps` and `pas`, each AP recorded with its real conversion.
mesh::policy_index index_of(const std::vector<mesh::authorization_policy>& aps,
                            const std::vector<mesh::peer_authentication>& pas) {
  mesh::policy_index idx{"istio-system"};
  for (const auto& ap : aps)
    idx.add_authorization_policy(
        ap, mesh::convert_authorization_policy(ap, "istio-system").authorization.has_value());
  for (const auto& pa : pas)
    idx.add_peer_authentication(pa);
  return idx;
}

/// The PeerAuthentication keys of a `demo` workload labelled `web` under `pas`.
strings pa_keys(const std::vector<mesh::peer_authentication>& pas) {
  return index_of({}, pas).workload_policies("demo", web);
}

} // namespace

TEST_CASE("a workload lists the selector policies of its namespace and the root sorted", "[mesh]") {
  auto idx = index_of(
      {
          make_ap("demo", "z-match", kube::string_map{{"app", "web"}}),
          make_ap("demo", "a-match", kube::string_map{{"app", "web"}, {"tier", "front"}}),
          make_ap("demo", "other-labels", kube::string_map{{"app", "db"}}),
          make_ap("demo", "extra-label", kube::string_map{{"app", "web"}, {"x", "y"}}),
          make_ap("demo", "namespace-wide", std::nullopt),
          make_ap("demo", "empty-selector", kube::string_map{}),
          make_ap("demo", "audit", kube::string_map{{"app", "web"}}, "AUDIT"),
          make_ap("other", "elsewhere", kube::string_map{{"app", "web"}}),
          make_ap("istio-system", "root-match", kube::string_map{{"tier", "front"}}),
          make_ap("istio-system", "global", std::nullopt),
      },
      {});
  CHECK(idx.workload_policies("demo", web)
        == strings{"demo/a-match", "demo/z-match", "istio-system/root-match"});
  CHECK(idx.workload_policies("istio-system", web) == strings{"istio-system/root-match"});
  CHECK(idx.workload_policies("demo", {}).empty());
  auto dry = make_ap("demo", "dry", kube::string_map{{"app", "web"}});
  dry.meta.annotations = {{"istio.io/dry-run", "true"}};
  auto targeted = make_ap("demo", "targeted", kube::string_map{{"app", "web"}});
  targeted.has_target_refs = true;
  CHECK(index_of({dry, targeted}, {}).workload_policies("demo", web).empty());
}

TEST_CASE("mesh and namespace peer authentications decide the static strict policy", "[mesh]") {
  CHECK(pa_keys({}).empty());
  CHECK(pa_keys({make_pa("istio-system", "m", strict)}) == strings{static_key});
  CHECK(pa_keys({make_pa("istio-system", "m", permissive)}).empty());
  CHECK(pa_keys({make_pa("istio-system", "m", strict), make_pa("demo", "n", permissive)}).empty());
  CHECK(pa_keys({make_pa("istio-system", "m", disable), make_pa("demo", "n", strict)})
        == strings{static_key});
  CHECK(pa_keys({make_pa("istio-system", "m", strict), make_pa("demo", "n", unset)})
        == strings{static_key});
  CHECK(pa_keys({make_pa("other", "n", strict)}).empty());
  auto empty_sel = make_pa("demo", "n", strict);
  empty_sel.selector = kube::string_map{};
  CHECK(pa_keys({empty_sel}) == strings{static_key});
}

TEST_CASE("the oldest peer authentication of each level wins", "[mesh]") {
  CHECK(pa_keys({make_pa("istio-system", "new", permissive, 20),
                 make_pa("istio-system", "old", strict, 10)})
        == strings{static_key});
  CHECK(pa_keys({make_pa("istio-system", "new", strict, 20),
                 make_pa("istio-system", "old", permissive, 10)})
            .empty());
  CHECK(pa_keys({make_pa("demo", "new", strict, 20), make_pa("demo", "old", disable, 10)}).empty());
  CHECK(pa_keys({make_workload_pa("demo", "new", strict, {}, 20),
                 make_workload_pa("demo", "old", permissive, {}, 10),
                 make_pa("istio-system", "m", strict)})
            .empty());
  CHECK(pa_keys({make_workload_pa("demo", "b", strict, {{80, permissive}}, 10),
                 make_workload_pa("demo", "a", strict, {{80, permissive}}, 10)})
        == strings{"demo/converted_peer_authentication_a"});
}

TEST_CASE("root namespace peer authentications with a selector never count", "[mesh]") {
  auto root_sel = make_workload_pa("istio-system", "sel", strict, {});
  auto root_empty = make_pa("istio-system", "empty", strict);
  root_empty.selector = kube::string_map{};
  CHECK(pa_keys({root_sel}).empty());
  CHECK(pa_keys({root_empty}).empty());
  auto idx = index_of({}, {root_sel, root_empty});
  CHECK(idx.workload_policies("istio-system", web) == strings{static_key});
  CHECK(index_of({}, {root_sel}).workload_policies("istio-system", web).empty());
}

TEST_CASE("a workload peer authentication overrides its mode when it selects the workload",
          "[mesh]") {
  auto wl = [](mtls_mode m) {
    return make_workload_pa("demo", "wl", m, {});
  };
  CHECK(pa_keys({wl(strict)}) == strings{static_key});
  CHECK(pa_keys({make_pa("istio-system", "m", strict), wl(permissive)}).empty());
  CHECK(pa_keys({make_pa("istio-system", "m", strict), wl(disable)}).empty());
  CHECK(pa_keys({make_pa("istio-system", "m", strict), wl(unset)}) == strings{static_key});
  auto db = wl(strict);
  db.selector = kube::string_map{{"app", "db"}};
  CHECK(pa_keys({db}).empty());
}

TEST_CASE("port level modes list the converted policy instead of the static one", "[mesh]") {
  auto wl = [](mtls_mode m, mtls_mode port) {
    return make_workload_pa("demo", "wl", m, {{8080, port}});
  };
  const auto root_strict = make_pa("istio-system", "m", strict);
  const auto ns_strict = make_pa("demo", "n", strict);
  const auto ns_permissive = make_pa("demo", "n", permissive);
  CHECK(pa_keys({wl(strict, permissive)}) == strings{converted_wl});
  CHECK(pa_keys({wl(strict, disable)}) == strings{converted_wl});
  CHECK(pa_keys({wl(strict, strict)}) == strings{static_key});
  CHECK(pa_keys({wl(permissive, strict)}) == strings{converted_wl});
  CHECK(pa_keys({wl(disable, strict)}) == strings{converted_wl});
  CHECK(pa_keys({wl(permissive, permissive)}).empty());
  CHECK(pa_keys({root_strict, wl(unset, permissive)}) == strings{converted_wl});
  CHECK(pa_keys({ns_strict, wl(unset, permissive)}) == strings{converted_wl});
  // Only PERMISSIVE ports are looked for under an inherited STRICT mode.
  CHECK(pa_keys({root_strict, wl(unset, disable)}) == strings{static_key});
  auto sent
      = mesh::peer_authentication_resources({root_strict, wl(unset, disable)}, "istio-system");
  REQUIRE(sent.size() == 2);
  CHECK(sent[1].name() == "converted_peer_authentication_wl");
  CHECK(pa_keys({ns_permissive, wl(unset, strict)}) == strings{converted_wl});
  CHECK(pa_keys({wl(unset, strict)}) == strings{converted_wl});
  CHECK(pa_keys({ns_permissive, wl(unset, permissive)}).empty());
  CHECK(pa_keys({root_strict, wl(unset, unset)}) == strings{static_key});
}

TEST_CASE("two combinations list a converted policy that is never sent", "[mesh]") {
  const auto root_strict = make_pa("istio-system", "m", strict);
  const auto ns_unset = make_pa("demo", "n", unset);
  auto check_unsent = [&](const std::vector<mesh::peer_authentication>& pas) {
    CHECK(pa_keys(pas) == strings{converted_wl});
    for (const auto& a : mesh::peer_authentication_resources(pas, "istio-system"))
      CHECK(a.name() != "converted_peer_authentication_wl");
  };
  for (auto mode : {permissive, disable}) {
    check_unsent({root_strict, make_workload_pa("demo", "wl", mode, {{8080, strict}})});
    check_unsent({root_strict, ns_unset, make_workload_pa("demo", "wl", mode, {{8080, strict}})});
  }
  check_unsent(
      {root_strict, ns_unset, make_workload_pa("demo", "wl", unset, {{8080, permissive}})});
}

TEST_CASE("policy names come first and then the peer authentication key", "[mesh]") {
  auto idx = index_of({make_ap("demo", "zz", kube::string_map{{"app", "web"}})},
                      {make_pa("istio-system", "m", strict)});
  CHECK(idx.workload_policies("demo", web) == strings{"demo/zz", static_key});
  CHECK(idx.peer_authentication_keys("demo", web) == strings{static_key});
}
