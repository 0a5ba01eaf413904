#include <catch2/catch.hpp>

#include "mesh/mesh_config.hpp"

#include <string>

using namespace ambient;
using namespace ambient::mesh;

namespace {

mesh_config must_parse(std::string_view yaml) {
  auto parsed = parse_mesh_config(yaml);
  if (auto* e = std::get_if<config_error>(&parsed))
    FAIL(e->message);
  return std::get<mesh_config>(std::move(parsed));
}

std::string error_of(std::string_view yaml) {
  auto parsed = parse_mesh_config(yaml);
  auto* e = std::get_if<config_error>(&parsed);
  return e ? e->message : "(accepted)";
}

const kube::string_map global_label{{"istio.io/global", "true"}};

} // namespace

TEST_CASE("an empty mesh config gives the defaults", "[mesh]") {
  for (auto yaml : {"", "{}", "# nothing here\n", "~", "trustDomain: null"}) {
    INFO("yaml: " << yaml);
    auto c = must_parse(yaml);
    CHECK(c == mesh_config{});
    CHECK(c.trust_domain == "cluster.local");
    CHECK(c.cluster_domain == "cluster.local");
    CHECK(c.cluster_id == "Kubernetes");
    CHECK(c.network.empty());
    CHECK(c.root_namespace == "istio-system");
    CHECK(c.discovery_selectors.empty());
    CHECK(c.cluster_discovery_selectors.empty());
    CHECK(c.service_scope_configs == default_service_scope_configs());
  }
}

TEST_CASE("the default service scope is the ambient profile's istio.io/global=true", "[mesh]") {
  auto defaults = default_service_scope_configs();
  REQUIRE(defaults.size() == 1);
  CHECK(defaults[0].scope == service_scope::global);
  CHECK(defaults[0].namespace_selector.empty());
  REQUIRE(defaults[0].services_selector.match_expressions().size() == 1);
  const auto& r = defaults[0].services_selector.match_expressions()[0];
  CHECK(r.key == "istio.io/global");
  CHECK(r.op == selector_operator::in);
  CHECK(r.values == std::vector<std::string>{"true"});
  mesh_config c;
  CHECK(scope_of(c, {}, global_label) == service_scope::global);
  CHECK(scope_of(c, {}, {{"istio.io/global", "false"}}) == service_scope::local);
  CHECK(scope_of(c, global_label, {}) == service_scope::local);
}

TEST_CASE("every mesh config field is read", "[mesh]") {
  auto c = must_parse(R"(
trustDomain: example.org
clusterDomain: corp.local
clusterId: cluster-a
network: net-a
rootNamespace: mesh-root
discoverySelectors:
  - matchLabels: {team: a}
  - matchExpressions:
      - {key: env, operator: In, values: [prod, staging]}
serviceScopeConfigs:
  - namespaceSelector: {matchLabels: {shared: "true"}}
    servicesSelector:
      matchExpressions: [{key: internal, operator: DoesNotExist}]
    scope: GLOBAL
  - scope: LOCAL
clusterDiscoverySelectors:
  cluster-b:
    - matchLabels: {mesh: "yes"}
  cluster-c: []
)");
  CHECK(c.trust_domain == "example.org");
  CHECK(c.cluster_domain == "corp.local");
  CHECK(c.cluster_id == "cluster-a");
  CHECK(c.network == "net-a");
  CHECK(c.root_namespace == "mesh-root");
  REQUIRE(c.discovery_selectors.size() == 2);
  CHECK(c.discovery_selectors[0].match_labels() == kube::string_map{{"team", "a"}});
  CHECK(c.discovery_selectors[1].matches({{"env", "staging"}}));
  CHECK_FALSE(c.discovery_selectors[1].matches({{"env", "dev"}}));
  REQUIRE(c.service_scope_configs.size() == 2);
  CHECK(c.service_scope_configs[0].scope == service_scope::global);
  CHECK(c.service_scope_configs[0].namespace_selector.match_labels()
        == kube::string_map{{"shared", "true"}});
  CHECK(c.service_scope_configs[0].services_selector.match_expressions()[0].op
        == selector_operator::does_not_exist);
  CHECK(c.service_scope_configs[1].scope == service_scope::local);
  CHECK(c.service_scope_configs[1].namespace_selector.empty());
  REQUIRE(c.cluster_discovery_selectors.size() == 2);
  CHECK(c.cluster_discovery_selectors.at("cluster-b").size() == 1);
  CHECK(c.cluster_discovery_selectors.at("cluster-c").empty());
}

TEST_CASE("an explicitly empty serviceScopeConfigs list makes every service local", "[mesh]") {
  auto c = must_parse("serviceScopeConfigs: []");
  CHECK(c.service_scope_configs.empty());
  CHECK(scope_of(c, {}, global_label) == service_scope::local);
}

TEST_CASE("a scope config needs both its namespace and service selectors to match", "[mesh]") {
  auto c = must_parse(R"(
serviceScopeConfigs:
  - namespaceSelector: {matchLabels: {shared: "true"}}
    servicesSelector: {matchLabels: {export: "yes"}}
    scope: GLOBAL
)");
  struct row {
    kube::string_map ns, svc;
    service_scope want;
  };
  const std::vector<row> table{
      {{{"shared", "true"}}, {{"export", "yes"}}, service_scope::global},
      {{{"shared", "true"}}, {}, service_scope::local},
      {{}, {{"export", "yes"}}, service_scope::local},
      {{}, {}, service_scope::local},
  };
  for (const auto& r : table)
    CHECK(scope_of(c, r.ns, r.svc) == r.want);
}

TEST_CASE("a scope config without selectors covers every service", "[mesh]") {
  for (auto yaml : {"serviceScopeConfigs: [{scope: GLOBAL}]",
                    "serviceScopeConfigs: [{namespaceSelector: {}, servicesSelector: null, "
                    "scope: GLOBAL}]"}) {
    auto c = must_parse(yaml);
    CHECK(scope_of(c, {}, {}) == service_scope::global);
    CHECK(scope_of(c, {{"a", "b"}}, {{"c", "d"}}) == service_scope::global);
  }
}

TEST_CASE("a scope config without a scope is LOCAL", "[mesh]") {
  auto c = must_parse("serviceScopeConfigs: [{servicesSelector: {matchLabels: {a: b}}}]");
  REQUIRE(c.service_scope_configs.size() == 1);
  CHECK(c.service_scope_configs[0].scope == service_scope::local);
  CHECK(scope_of(c, {}, {{"a", "b"}}) == service_scope::local);
}

TEST_CASE("a matching LOCAL entry does not hide a later GLOBAL one, as in istiod", "[mesh]") {
  auto c = must_parse(R"(
serviceScopeConfigs:
  - servicesSelector: {matchLabels: {tier: internal}}
    scope: LOCAL
  - scope: GLOBAL
)");
  CHECK(scope_of(c, {}, {{"tier", "internal"}}) == service_scope::global);
}

TEST_CASE("a mesh config that is not a mapping is refused", "[mesh]") {
  CHECK(error_of("- a\n- b") == "expected the mesh config to be a mapping");
  CHECK(error_of("just text") == "expected the mesh config to be a mapping");
}

TEST_CASE("an unknown top-level key is refused naming the key", "[mesh]") {
  CHECK(error_of("trustDomain: a\ndiscoverySelector: []") == "unknown field \"discoverySelector\"");
}

TEST_CASE("a duplicate top-level key is refused naming the key", "[mesh]") {
  CHECK(error_of("network: a\nnetwork: b") == "duplicate field \"network\"");
}

TEST_CASE("a string field given a list or mapping is refused naming the field", "[mesh]") {
  CHECK(error_of("trustDomain: [a]") == "trustDomain: expected a string");
  CHECK(error_of("network: {a: b}") == "network: expected a string");
}

TEST_CASE("an empty trust domain, cluster domain or cluster ID is refused", "[mesh]") {
  CHECK(error_of("trustDomain: ''") == "trustDomain: must not be empty");
  CHECK(error_of("clusterDomain: ''") == "clusterDomain: must not be empty");
  CHECK(error_of("clusterId: ''") == "clusterId: must not be empty");
  CHECK(error_of("rootNamespace: ''") == "rootNamespace: must not be empty");
}

TEST_CASE("discoverySelectors that is not a list is refused", "[mesh]") {
  CHECK(error_of("discoverySelectors: {matchLabels: {a: b}}")
        == "discoverySelectors: expected a list of LabelSelectors");
}

TEST_CASE("a discovery selector that is not a mapping is refused naming its index", "[mesh]") {
  CHECK(error_of("discoverySelectors: [{}, team=a]")
        == "discoverySelectors[1]: expected a LabelSelector mapping");
  CHECK(error_of("discoverySelectors: [~]")
        == "discoverySelectors[0]: expected a LabelSelector mapping");
}

TEST_CASE("an unknown key in a selector is refused naming its path", "[mesh]") {
  CHECK(error_of("discoverySelectors: [{matchLabel: {a: b}}]")
        == "discoverySelectors[0]: unknown field \"matchLabel\"");
  CHECK(error_of("discoverySelectors: [{matchExpressions: [{key: a, operator: Exists, op: x}]}]")
        == "discoverySelectors[0].matchExpressions[0]: unknown field \"op\"");
}

TEST_CASE("matchLabels that is not a mapping of strings is refused", "[mesh]") {
  CHECK(error_of("discoverySelectors: [{matchLabels: [a]}]")
        == "discoverySelectors[0].matchLabels: expected a mapping of label keys to values");
  CHECK(error_of("discoverySelectors: [{matchLabels: {a: [b]}}]")
        == "discoverySelectors[0].matchLabels.a: expected a string");
}

TEST_CASE("matchExpressions that is not a list of mappings is refused", "[mesh]") {
  CHECK(error_of("discoverySelectors: [{matchExpressions: {key: a}}]")
        == "discoverySelectors[0].matchExpressions: expected a list of label selector "
           "requirements");
  CHECK(error_of("discoverySelectors: [{matchExpressions: [a]}]")
        == "discoverySelectors[0].matchExpressions[0]: expected a label selector requirement");
  CHECK(error_of("discoverySelectors: [{matchExpressions: [{key: a, operator: In, values: x}]}]")
        == "discoverySelectors[0].matchExpressions[0].values: expected a list of strings");
}

TEST_CASE("an unknown selector operator is refused naming the expression", "[mesh]") {
  CHECK(error_of("discoverySelectors: [{matchExpressions: [{key: a, operator: Equals}]}]")
        == "discoverySelectors[0].matchExpressions[0].operator: \"Equals\" is not a valid label "
           "selector operator (In, NotIn, Exists or DoesNotExist)");
  CHECK(error_of("discoverySelectors: [{matchExpressions: [{key: a}]}]")
        == "discoverySelectors[0].matchExpressions[0].operator: \"\" is not a valid label "
           "selector operator (In, NotIn, Exists or DoesNotExist)");
}

TEST_CASE("In without values is refused naming the expression", "[mesh]") {
  CHECK(error_of("serviceScopeConfigs: [{servicesSelector: {matchExpressions: "
                 "[{key: a, operator: In}]}}]")
        == "serviceScopeConfigs[0].servicesSelector.matchExpressions[0].values: must not be "
           "empty for operator In");
}

TEST_CASE("Exists with values is refused naming the expression", "[mesh]") {
  CHECK(error_of("serviceScopeConfigs: [{namespaceSelector: {matchExpressions: "
                 "[{key: a, operator: Exists, values: [x]}]}}]")
        == "serviceScopeConfigs[0].namespaceSelector.matchExpressions[0].values: must be empty "
           "for operator Exists");
}

TEST_CASE("an invalid label key in a selector is refused naming the selector", "[mesh]") {
  CHECK(error_of("discoverySelectors: [{matchLabels: {'bad key': x}}]")
        == "discoverySelectors[0].matchLabels: invalid key \"bad key\": name part must consist "
           "of alphanumeric characters, '-', '_' or '.', and must start and end with an "
           "alphanumeric character");
}

TEST_CASE("a scope other than LOCAL or GLOBAL is refused naming the entry", "[mesh]") {
  CHECK(error_of("serviceScopeConfigs: [{scope: GLOBAL}, {scope: global}]")
        == "serviceScopeConfigs[1].scope: expected LOCAL or GLOBAL");
  CHECK(error_of("serviceScopeConfigs: [{scope: [GLOBAL]}]")
        == "serviceScopeConfigs[0].scope: expected LOCAL or GLOBAL");
}

TEST_CASE("serviceScopeConfigs entries that are not mappings are refused", "[mesh]") {
  CHECK(error_of("serviceScopeConfigs: {scope: GLOBAL}")
        == "serviceScopeConfigs: expected a list of service scope configs");
  CHECK(error_of("serviceScopeConfigs: [GLOBAL]")
        == "serviceScopeConfigs[0]: expected a service scope config mapping");
  CHECK(error_of("serviceScopeConfigs: [{scope: GLOBAL, selector: {}}]")
        == "serviceScopeConfigs[0]: unknown field \"selector\"");
}

TEST_CASE("clusterDiscoverySelectors that is not a mapping of lists is refused", "[mesh]") {
  CHECK(error_of("clusterDiscoverySelectors: [a]")
        == "clusterDiscoverySelectors: expected a mapping of cluster IDs to lists of "
           "LabelSelectors");
  CHECK(error_of("clusterDiscoverySelectors: {cluster-b: {matchLabels: {a: b}}}")
        == "clusterDiscoverySelectors.cluster-b: expected a list of LabelSelectors");
  CHECK(error_of("clusterDiscoverySelectors: {cluster-b: ~}")
        == "clusterDiscoverySelectors.cluster-b: expected a list of LabelSelectors");
  CHECK(error_of("clusterDiscoverySelectors: {'': []}")
        == "clusterDiscoverySelectors: cluster IDs must be non-empty strings");
  CHECK(error_of("clusterDiscoverySelectors: {c: [{matchExpressions: [{key: a, operator: X}]}]}")
            .starts_with("clusterDiscoverySelectors.c[0].matchExpressions[0].operator: \"X\""));
}

TEST_CASE("invalid YAML is refused with its position and never throws", "[mesh]") {
  CHECK(
      error_of("trustDomain: [a\nnetwork: b").starts_with("mesh config is not valid YAML (line "));
  CHECK(error_of("a: *nowhere").starts_with("mesh config is not valid YAML"));
  CHECK(error_of("{a: b}: c").starts_with("keys must be strings"));
}

TEST_CASE("an oversized mesh config is refused", "[mesh]") {
  std::string big = "network: " + std::string(1024 * 1024, 'n');
  CHECK(error_of(big) == "mesh config is larger than 1 MiB");
}
