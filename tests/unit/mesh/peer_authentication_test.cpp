#include <catch2/catch.hpp>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "mesh/peer_authentication.hpp"
#include "support/peer_authentication_builders.hpp"
#include "support/text_proto.hpp"

using namespace ambient;
using namespace ambient::test;
using mesh::mtls_mode;

namespace {

constexpr auto unset = mtls_mode::unset;
constexpr auto strict = mtls_mode::strict;
constexpr auto permissive = mtls_mode::permissive;
constexpr auto disable = mtls_mode::disable;

/// A conversion row: the workload policy's mode and ports, the namespace and root policies'
/// modes (nullopt: no such policy) and the groups expected ("" for no resource).
struct row {
  const char* rule;
  mtls_mode mode;
  std::map<uint32_t, mtls_mode> ports;
  std::optional<mtls_mode> ns, root;
  const char* groups;
};

const char* plain = "rules { matches { not_principals { presence {} } } }";

std::string strict_port(uint32_t p) {
  return "groups { rules { matches { not_principals { presence {} } destination_ports: "
         + std::to_string(p) + " } } }";
}

std::string exempt(uint32_t p) {
  return "rules { matches { not_destination_ports: " + std::to_string(p) + " } }";
}

void run(const std::vector<row>& rows) {
  for (const auto& r : rows) {
    INFO("rule: " << r.rule);
    auto pa = make_workload_pa("demo", "wl", r.mode, r.ports);
    std::optional<mesh::peer_authentication> ns, root;
    if (r.ns)
      ns = make_pa("demo", "ns", *r.ns);
    if (r.root)
      root = make_pa("istio-system", "mesh", *r.root);
    auto got = mesh::convert_peer_authentication(pa, ns ? &*ns : nullptr, root ? &*root : nullptr,
                                                 "istio-system");
    REQUIRE(got.has_value() == (std::string{r.groups} != ""));
    if (got)
      check_text_proto(*got, std::string{"name: 'converted_peer_authentication_wl'"
                                         " namespace: 'demo' scope: WORKLOAD_SELECTOR"
                                         " action: DENY "}
                                 + r.groups);
  }
}

} // namespace

TEST_CASE("the static strict policy denies plaintext in the root namespace", "[mesh]") {
  check_text_proto(mesh::static_strict_policy("istio-system"),
                   std::string{"name: 'istio_converted_static_strict' namespace: 'istio-system'"
                               " scope: WORKLOAD_SELECTOR action: DENY groups { "}
                       + plain + " }");
}

TEST_CASE("only a workload policy outside the root namespace with ports is converted", "[mesh]") {
  auto pa = make_workload_pa("istio-system", "wl", permissive, {{8080, strict}});
  CHECK_FALSE(mesh::convert_peer_authentication(pa, nullptr, nullptr, "istio-system"));
  pa.meta.namespace_ = "demo";
  CHECK(mesh::convert_peer_authentication(pa, nullptr, nullptr, "istio-system"));
  pa.selector.reset();
  CHECK_FALSE(mesh::convert_peer_authentication(pa, nullptr, nullptr, "istio-system"));
  pa.selector = kube::string_map{};
  CHECK(mesh::convert_peer_authentication(pa, nullptr, nullptr, "istio-system"));
  pa.port_level_mtls.clear();
  CHECK_FALSE(mesh::convert_peer_authentication(pa, nullptr, nullptr, "istio-system"));
}

TEST_CASE("port level modes become groups and exemptions as the parents require", "[mesh]") {
  using std::nullopt;
  const std::string p8080 = strict_port(8080), p9090 = strict_port(9090);
  const std::string s14 = std::string{"groups { "} + plain + " " + exempt(8080) + " }";
  const std::string s15
      = std::string{"groups { "} + plain + " " + exempt(8080) + " " + plain + " }";
  const std::string s16 = "groups { " + exempt(8080) + " " + exempt(9090) + " " + plain + " }";
  const std::string s17 = "groups { " + exempt(8080) + " " + plain + " }";
  const std::string s21
      = std::string{"groups { "} + plain + " " + exempt(7070) + " " + exempt(9090) + " }";
  const std::string s22 = p8080 + " " + p9090;
  const std::string s23 = "groups { " + exempt(9090) + " " + plain + " }";
  run({
      {"STRICT with only STRICT ports is left to the static policy",
       strict,
       {{8080, strict}},
       nullopt,
       nullopt,
       ""},
      {"PERMISSIVE with a PERMISSIVE port needs nothing",
       permissive,
       {{8080, permissive}},
       nullopt,
       nullopt,
       ""},
      {"UNSET with no parents and a PERMISSIVE port needs nothing",
       unset,
       {{8080, permissive}},
       nullopt,
       nullopt,
       ""},
      {"an UNSET port is ignored", unset, {{8080, unset}}, strict, nullopt, ""},
      {"PERMISSIVE with a STRICT port denies plaintext on it",
       permissive,
       {{8080, strict}},
       nullopt,
       nullopt,
       p8080.c_str()},
      {"DISABLE under a PERMISSIVE namespace and a STRICT root keeps its STRICT port",
       disable,
       {{8080, strict}},
       permissive,
       strict,
       p8080.c_str()},
      {"PERMISSIVE with a STRICT port under a STRICT root and no namespace policy is dropped",
       permissive,
       {{8080, strict}},
       nullopt,
       strict,
       ""},
      {"PERMISSIVE with a STRICT port under a STRICT root and an UNSET namespace is dropped",
       permissive,
       {{8080, strict}},
       unset,
       strict,
       ""},
      {"UNSET with a STRICT port under a STRICT namespace is left to the static policy",
       unset,
       {{8080, strict}},
       strict,
       nullopt,
       ""},
      {"UNSET with a STRICT port under a STRICT root is left to the static policy",
       unset,
       {{8080, strict}},
       nullopt,
       strict,
       ""},
      {"UNSET with a STRICT port under a PERMISSIVE namespace and STRICT root denies it",
       unset,
       {{8080, strict}},
       permissive,
       strict,
       p8080.c_str()},
      {"STRICT with a PERMISSIVE port exempts it",
       strict,
       {{8080, permissive}},
       nullopt,
       nullopt,
       s14.c_str()},
      {"STRICT with a DISABLE port under a STRICT root merges the root in",
       strict,
       {{8080, disable}},
       nullopt,
       strict,
       s15.c_str()},
      {"UNSET under a STRICT namespace exempts PERMISSIVE and DISABLE ports",
       unset,
       {{9090, disable}, {8080, permissive}},
       strict,
       nullopt,
       s16.c_str()},
      {"UNSET under a STRICT root and no namespace policy exempts the port",
       unset,
       {{8080, permissive}},
       nullopt,
       strict,
       s17.c_str()},
      {"UNSET under a STRICT root and an UNSET namespace drops the exemption",
       unset,
       {{8080, permissive}},
       unset,
       strict,
       ""},
      {"UNSET under a PERMISSIVE namespace needs no exemption",
       unset,
       {{8080, permissive}},
       permissive,
       strict,
       ""},
      {"UNSET under a PERMISSIVE root needs no exemption",
       unset,
       {{8080, disable}},
       nullopt,
       permissive,
       ""},
      {"STRICT exempts ports in ascending order and skips its STRICT ports",
       strict,
       {{9090, permissive}, {8080, strict}, {7070, disable}},
       nullopt,
       nullopt,
       s21.c_str()},
      {"PERMISSIVE gives one group per STRICT port in ascending order",
       permissive,
       {{9090, strict}, {8080, strict}, {7070, permissive}},
       nullopt,
       nullopt,
       s22.c_str()},
      {"UNSET under a STRICT namespace mixes a skipped STRICT port and an exemption",
       unset,
       {{8080, strict}, {9090, permissive}},
       strict,
       nullopt,
       s23.c_str()},
      {"UNSET under a PERMISSIVE namespace keeps the STRICT port only",
       unset,
       {{8080, strict}, {9090, permissive}},
       permissive,
       nullopt,
       p8080.c_str()},
  });
}

TEST_CASE("the oldest policy without a selector is the level policy", "[mesh]") {
  std::vector<mesh::peer_authentication> pas{
      make_pa("demo", "b", strict, 20),  make_pa("demo", "a", permissive, 30),
      make_pa("demo", "c", disable, 20), make_pa("demo", "empty", unset, 10),
      make_pa("other", "o", strict, 1),
  };
  pas[3].selector = kube::string_map{};
  const auto* got = mesh::oldest_selectorless(pas, "demo");
  REQUIRE(got != nullptr);
  CHECK(got->meta.name == "b"); // equal ages are ordered by name; `selector: {}` does not count
  CHECK(mesh::oldest_selectorless(pas, "none") == nullptr);
}

TEST_CASE("peer authentications give the static policy and their converted ones", "[mesh]") {
  CHECK(mesh::peer_authentication_resources({}, "istio-system").empty());
  std::vector<mesh::peer_authentication> pas{
      make_pa("demo", "ns", permissive, 1),
      make_workload_pa("demo", "wl", unset, {{8080, strict}}, 2),
      make_workload_pa("demo", "quiet", strict, {{8080, strict}}, 3),
  };
  auto got = mesh::peer_authentication_resources(pas, "istio-system");
  REQUIRE(got.size() == 2);
  CHECK(got[0].name() == "istio_converted_static_strict");
  check_text_proto(got[1], "name: 'converted_peer_authentication_wl' namespace: 'demo'"
                           " scope: WORKLOAD_SELECTOR action: DENY "
                               + strict_port(8080));
}
