#include <catch2/catch.hpp>

#include "mesh/discovery_filter.hpp"
#include "mesh/mesh_config.hpp"

#include <string>
#include <vector>

using namespace ambient;
using namespace ambient::mesh;

namespace {

kube::namespace_ make_namespace(std::string name, kube::string_map labels = {}) {
  kube::namespace_ ns;
  ns.meta.name = std::move(name);
  ns.meta.labels = std::move(labels);
  return ns;
}

label_selector match_labels(kube::string_map labels) {
  return std::get<label_selector>(label_selector::make(std::move(labels), {}, "test"));
}

filter_change change(std::vector<std::string> added, std::vector<std::string> removed = {}) {
  filter_change c;
  c.added = std::move(added);
  c.removed = std::move(removed);
  return c;
}

const filter_change none;

/// A filter selecting namespaces labelled team=a, with a (selected), b (not) and c (selected).
discovery_filter team_a_filter() {
  discovery_filter f{{match_labels({{"team", "a"}})}};
  f.on_namespace(make_namespace("c", {{"team", "a"}}));
  f.on_namespace(make_namespace("b", {{"team", "b"}}));
  f.on_namespace(make_namespace("a", {{"team", "a"}}));
  return f;
}

} // namespace

TEST_CASE("a filter with selectors admits nothing until the namespace informer syncs", "[mesh]") {
  discovery_filter f{{match_labels({{"team", "a"}})}};
  CHECK_FALSE(f.synced());
  CHECK(f.on_namespace(make_namespace("a", {{"team", "a"}})) == none);
  CHECK_FALSE(f.admits("a"));
  CHECK_FALSE(f.admits("unknown"));
}

TEST_CASE("a filter opens its selected namespaces on sync and reports them added", "[mesh]") {
  auto f = team_a_filter();
  CHECK(f.on_synced() == change({"a", "c"}));
  CHECK(f.synced());
  CHECK(f.admits("a"));
  CHECK_FALSE(f.admits("b"));
  CHECK(f.admits("c"));
  CHECK_FALSE(f.admits("unknown"));
  CHECK(f.on_synced() == none);
}

TEST_CASE("a filter without selectors admits every namespace even before sync", "[mesh]") {
  discovery_filter f;
  CHECK(f.admits("anything"));
  CHECK(f.on_namespace(make_namespace("a", {{"team", "a"}})) == none);
  CHECK(f.on_synced() == none);
  CHECK(f.admits("a"));
  CHECK(f.admits("never-seen"));
}

TEST_CASE("cluster-scoped objects are always admitted", "[mesh]") {
  discovery_filter f{{match_labels({{"team", "a"}})}};
  CHECK(f.admits(""));
  f.on_synced();
  CHECK(f.admits(""));
}

TEST_CASE("a label change moves a namespace into and out of the filter", "[mesh]") {
  auto f = team_a_filter();
  f.on_synced();
  CHECK(f.on_namespace(make_namespace("b", {{"team", "a"}})) == change({"b"}));
  CHECK(f.admits("b"));
  CHECK(f.on_namespace(make_namespace("b", {{"team", "a"}, {"x", "y"}})) == none);
  CHECK(f.on_namespace(make_namespace("a", {})) == change({}, {"a"}));
  CHECK_FALSE(f.admits("a"));
}

TEST_CASE("a namespace created after sync is reported only when selected", "[mesh]") {
  auto f = team_a_filter();
  f.on_synced();
  CHECK(f.on_namespace(make_namespace("d", {{"team", "a"}})) == change({"d"}));
  CHECK(f.on_namespace(make_namespace("e", {{"team", "z"}})) == none);
  CHECK(f.admits("d"));
  CHECK_FALSE(f.admits("e"));
}

TEST_CASE("a namespace is admitted when any selector matches", "[mesh]") {
  discovery_filter f{{match_labels({{"team", "a"}}), match_labels({{"env", "prod"}})}};
  f.on_namespace(make_namespace("by-team", {{"team", "a"}}));
  f.on_namespace(make_namespace("by-env", {{"env", "prod"}}));
  f.on_namespace(make_namespace("neither", {{"env", "dev"}}));
  CHECK(f.on_synced() == change({"by-env", "by-team"}));
  CHECK_FALSE(f.admits("neither"));
}

TEST_CASE("a selector change re-evaluates every known namespace", "[mesh]") {
  auto f = team_a_filter();
  f.on_synced();
  CHECK(f.set_selectors({match_labels({{"team", "b"}})}) == change({"b"}, {"a", "c"}));
  CHECK(f.admits("b"));
  CHECK_FALSE(f.admits("a"));
  CHECK(f.set_selectors({match_labels({{"team", "b"}})}) == none);
}

TEST_CASE("dropping every selector admits all namespaces and reports the newly admitted",
          "[mesh]") {
  auto f = team_a_filter();
  f.on_synced();
  CHECK(f.set_selectors({}) == change({"b"}));
  CHECK(f.admits("b"));
  CHECK(f.admits("never-seen"));
}

TEST_CASE("adding selectors before sync closes the filter until sync", "[mesh]") {
  discovery_filter f;
  f.on_namespace(make_namespace("a", {{"team", "a"}}));
  f.on_namespace(make_namespace("b", {}));
  CHECK(f.set_selectors({match_labels({{"team", "a"}})}) == change({}, {"a", "b"}));
  CHECK_FALSE(f.admits("a"));
  CHECK(f.on_synced() == change({"a"}));
}

TEST_CASE("an empty selector in the list selects every namespace", "[mesh]") {
  discovery_filter f{{label_selector{}}};
  f.on_namespace(make_namespace("a"));
  CHECK_FALSE(f.admits("a"));
  CHECK(f.on_synced() == change({"a"}));
  CHECK_FALSE(f.admits("unknown")); // not yet listed by the informer
}

TEST_CASE("a deleted namespace is forgotten without a change report", "[mesh]") {
  auto f = team_a_filter();
  f.on_synced();
  CHECK(f.on_namespace_deleted("a") == none);
  CHECK_FALSE(f.admits("a"));
  CHECK(f.on_namespace_deleted("never-seen") == none);
  CHECK(f.on_namespace(make_namespace("a", {{"team", "a"}})) == change({"a"}));
}

TEST_CASE("per-cluster discovery selectors replace the mesh-wide ones", "[mesh]") {
  auto parsed = parse_mesh_config(R"(
discoverySelectors: [{matchLabels: {team: a}}]
clusterDiscoverySelectors:
  cluster-b: [{matchLabels: {team: b}}]
  cluster-c: []
)");
  REQUIRE(std::holds_alternative<mesh_config>(parsed));
  const auto& config = std::get<mesh_config>(parsed);
  CHECK(&selectors_for(config, "cluster-a") == &config.discovery_selectors);
  CHECK(selectors_for(config, "cluster-b").size() == 1);
  CHECK(selectors_for(config, "cluster-c").empty());

  struct row {
    std::string cluster;
    std::vector<std::string> admitted;
  };
  const std::vector<row> table{
      {"cluster-a", {"a"}},
      {"cluster-b", {"b"}},
      {"cluster-c", {"a", "b", "none"}},
  };
  for (const auto& r : table) {
    INFO("cluster: " << r.cluster);
    discovery_filter f{selectors_for(config, r.cluster)};
    f.on_namespace(make_namespace("a", {{"team", "a"}}));
    f.on_namespace(make_namespace("b", {{"team", "b"}}));
    f.on_namespace(make_namespace("none"));
    f.on_synced();
    std::vector<std::string> admitted;
    for (auto ns : {"a", "b", "none"})
      if (f.admits(ns))
        admitted.emplace_back(ns);
    CHECK(admitted == r.admitted);
  }
}
