#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "istio/security/authorization.pb.h"
#include "mesh/mesh_index.hpp"
#include "support/mesh_builders.hpp"
#include "support/mesh_index_helpers.hpp"
#include "support/peer_authentication_builders.hpp"

using namespace ambient;
using namespace ambient::mesh;
using ambient::test::make_map;
using ambient::test::make_namespace;
using ambient::test::make_pod;
using strings = std::vector<std::string>;

namespace {

const std::string web_uid = "cluster-1//Pod/demo/web-0";
const std::string static_key = "istio-system/istio_converted_static_strict";

/// An ALLOW AuthorizationPolicy `ns/name` selecting `app=<app>` (no selector when `app` is
/// empty), with one rule allowing namespace `from`.
authorization_policy make_ap(const std::string& ns, const std::string& name,
                             const std::string& app = "web", const std::string& action = "") {
  authorization_policy ap;
  ap.meta.namespace_ = ns;
  ap.meta.name = name;
  if (!app.empty())
    ap.selector = make_map({{"app", app}});
  ap.action = action;
  authz_rule r;
  r.from.emplace_back().namespaces = {"shop"};
  ap.rules.push_back(r);
  return ap;
}

/// An index with cluster-1 (the config cluster) synced: namespaces demo and other, pod web-0
/// (app=web) in demo and db-0 (app=db) in other.
mesh_index synced_index(std::shared_ptr<const mesh_config> config = test::index_config()) {
  mesh_index idx{std::move(config)};
  idx.upsert("cluster-1", 1, make_namespace("demo"));
  idx.upsert("cluster-1", 1, make_namespace("other"));
  idx.upsert("cluster-1", 1, make_namespace("istio-system"));
  idx.upsert("cluster-1", 1, make_pod("web-0", "demo", "10.0.0.1", make_map({{"app", "web"}})));
  idx.upsert("cluster-1", 1, make_pod("db-0", "other", "10.0.0.2", make_map({{"app", "db"}})));
  idx.set_state("cluster-1", 1, fleet::lifecycle::synced);
  idx.take_delta();
  return idx;
}

strings policies_of(const mesh_index& idx, const std::string& uid) {
  auto it = idx.resources().find(uid);
  REQUIRE(it != idx.resources().end());
  const auto& p = it->second->address.workload().authorization_policies();
  return {p.begin(), p.end()};
}

strings names_of(const std::vector<authorization_ptr>& v) {
  strings out;
  for (const auto& r : v)
    out.push_back(r->name);
  std::sort(out.begin(), out.end());
  return out;
}

strings upserted_names(const mesh_delta& d) {
  strings out;
  for (const auto& r : d.upserted)
    out.push_back(r->name);
  std::sort(out.begin(), out.end());
  return out;
}

} // namespace

TEST_CASE("a config cluster policy is sent and listed by the workloads it selects", "[mesh]") {
  auto idx = synced_index();
  idx.upsert("cluster-1", 1, make_ap("demo", "allow-web"));
  auto d = idx.take_delta();
  CHECK(names_of(d.authorizations_upserted) == strings{"demo/allow-web"});
  CHECK(d.authorizations_removed.empty());
  CHECK(upserted_names(d) == strings{web_uid}); // only the pod of its namespace is recomputed
  CHECK(policies_of(idx, web_uid) == strings{"demo/allow-web"});
  CHECK(policies_of(idx, "cluster-1//Pod/other/db-0").empty());
  const auto& a = d.authorizations_upserted.front()->authorization;
  CHECK(a.name() == "allow-web");
  CHECK(a.namespace_() == "demo");
  CHECK(a.scope() == istio::security::WORKLOAD_SELECTOR);
  istio::security::Authorization parsed;
  REQUIRE(parsed.ParseFromString(d.authorizations_upserted.front()->bytes));
  CHECK(parsed.name() == "allow-web");

  idx.remove("cluster-1", 1, kube::resource_kind::authorization_policies, "demo/allow-web");
  d = idx.take_delta();
  CHECK(d.authorizations_removed == strings{"demo/allow-web"});
  CHECK(upserted_names(d) == strings{web_uid});
  CHECK(policies_of(idx, web_uid).empty());
  CHECK(idx.authorizations().empty());
}

TEST_CASE("a resync of an unchanged policy sends nothing", "[mesh]") {
  auto idx = synced_index();
  idx.upsert("cluster-1", 1, make_ap("demo", "allow-web"));
  idx.take_delta();
  idx.upsert("cluster-1", 1, make_ap("demo", "allow-web"));
  CHECK(idx.take_delta().empty());
}

TEST_CASE("a root namespace policy reaches every namespace and a namespace policy only its own",
          "[mesh]") {
  auto idx = synced_index();
  idx.upsert("cluster-1", 1, make_ap("istio-system", "mesh-db", "db"));
  auto d = idx.take_delta();
  CHECK(names_of(d.authorizations_upserted) == strings{"istio-system/mesh-db"});
  // Only the workloads its selector picks are recomputed, in every namespace.
  CHECK(upserted_names(d) == strings{"cluster-1//Pod/other/db-0"});
  CHECK(policies_of(idx, "cluster-1//Pod/other/db-0") == strings{"istio-system/mesh-db"});
  auto moved = make_ap("istio-system", "mesh-db", "web");
  idx.upsert("cluster-1", 1, moved);
  d = idx.take_delta();
  CHECK(upserted_names(d) == strings{"cluster-1//Pod/demo/web-0", "cluster-1//Pod/other/db-0"});
  CHECK(policies_of(idx, web_uid) == strings{"istio-system/mesh-db"});
  CHECK(policies_of(idx, "cluster-1//Pod/other/db-0").empty());
  idx.upsert("cluster-1", 1, make_ap("istio-system", "mesh-db", "db"));
  idx.take_delta();
  idx.upsert("cluster-1", 1, make_ap("other", "ns-wide", ""));
  d = idx.take_delta();
  // A namespace-scoped policy is sent but listed by no workload (istiod lists selector policies).
  CHECK(names_of(d.authorizations_upserted) == strings{"other/ns-wide"});
  CHECK(d.authorizations_upserted.front()->authorization.scope() == istio::security::NAMESPACE);
  CHECK(policies_of(idx, "cluster-1//Pod/other/db-0") == strings{"istio-system/mesh-db"});
}

TEST_CASE("a mesh-wide policy without a selector is sent and recomputes no workload", "[mesh]") {
  auto idx = synced_index();
  idx.upsert("cluster-1", 1, make_ap("istio-system", "mesh-wide", ""));
  auto d = idx.take_delta();
  REQUIRE(names_of(d.authorizations_upserted) == strings{"istio-system/mesh-wide"});
  CHECK(d.authorizations_upserted.front()->authorization.scope() == istio::security::GLOBAL);
  CHECK(d.upserted.empty());
  idx.remove("cluster-1", 1, kube::resource_kind::authorization_policies, "istio-system/mesh-wide");
  d = idx.take_delta();
  CHECK(d.authorizations_removed == strings{"istio-system/mesh-wide"});
  CHECK(d.upserted.empty());
}

TEST_CASE("a remote cluster's policies are ignored but its pods list the config cluster's",
          "[mesh]") {
  auto idx = synced_index();
  idx.upsert("cluster-2", 1, make_namespace("demo"));
  idx.upsert("cluster-2", 1, make_pod("web-9", "demo", "10.1.0.9", make_map({{"app", "web"}})));
  idx.upsert("cluster-2", 1, make_ap("demo", "remote-only"));
  idx.set_state("cluster-2", 1, fleet::lifecycle::synced);
  idx.upsert("cluster-1", 1, make_ap("demo", "allow-web"));
  auto d = idx.take_delta();
  CHECK(names_of(d.authorizations_upserted) == strings{"demo/allow-web"});
  CHECK(policies_of(idx, "cluster-2//Pod/demo/web-9") == strings{"demo/allow-web"});
}

TEST_CASE("policies of another revision are ignored", "[mesh]") {
  auto config = std::make_shared<mesh_config>(*test::index_config());
  config->revision = "canary";
  auto idx = synced_index(config);
  auto stable = make_ap("demo", "stable");
  stable.meta.labels = make_map({{"istio.io/rev", "stable"}});
  auto canary = make_ap("demo", "canary");
  canary.meta.labels = make_map({{"istio.io/rev", "canary"}});
  idx.upsert("cluster-1", 1, stable);
  idx.upsert("cluster-1", 1, canary);
  idx.upsert("cluster-1", 1, make_ap("demo", "unlabelled"));
  auto d = idx.take_delta();
  CHECK(names_of(d.authorizations_upserted) == strings{"demo/canary", "demo/unlabelled"});
  // Relabelled to another revision: it goes, as if deleted.
  canary.meta.labels = make_map({{"istio.io/rev", "stable"}});
  idx.upsert("cluster-1", 1, canary);
  d = idx.take_delta();
  CHECK(d.authorizations_removed == strings{"demo/canary"});
  CHECK(policies_of(idx, web_uid) == strings{"demo/unlabelled"});
}

TEST_CASE("policies in namespaces the discovery filter hides are ignored until admitted",
          "[mesh]") {
  auto config = std::make_shared<mesh_config>(*test::index_config());
  config->discovery_selectors.push_back(
      std::get<label_selector>(label_selector::make(make_map({{"mesh", "on"}}), {}, "test")));
  mesh_index idx{config};
  idx.upsert("cluster-1", 1, make_namespace("demo"));
  idx.upsert("cluster-1", 1, make_pod("web-0", "demo", "10.0.0.1", make_map({{"app", "web"}})));
  idx.upsert("cluster-1", 1, make_ap("demo", "allow-web"));
  idx.set_state("cluster-1", 1, fleet::lifecycle::synced);
  auto d = idx.take_delta();
  CHECK(d.authorizations_upserted.empty());
  CHECK(idx.resources().empty());
  idx.upsert("cluster-1", 1, make_namespace("demo", make_map({{"mesh", "on"}})));
  d = idx.take_delta();
  CHECK(names_of(d.authorizations_upserted) == strings{"demo/allow-web"});
  CHECK(policies_of(idx, web_uid) == strings{"demo/allow-web"});
}

TEST_CASE("a PeerAuthentication brings the static strict policy and workloads list it", "[mesh]") {
  auto idx = synced_index();
  idx.upsert("cluster-1", 1, test::make_pa("demo", "strict", mtls_mode::strict));
  auto d = idx.take_delta();
  CHECK(names_of(d.authorizations_upserted) == strings{static_key});
  CHECK(policies_of(idx, web_uid) == strings{static_key});
  CHECK(policies_of(idx, "cluster-1//Pod/other/db-0").empty());
  idx.remove("cluster-1", 1, kube::resource_kind::peer_authentications, "demo/strict");
  d = idx.take_delta();
  CHECK(d.authorizations_removed == strings{static_key});
  CHECK(policies_of(idx, web_uid).empty());
}

TEST_CASE("an AUDIT policy sends nothing and is counted as not enforced", "[mesh]") {
  auto idx = synced_index();
  idx.upsert("cluster-1", 1, make_ap("demo", "audit", "web", "AUDIT"));
  auto d = idx.take_delta();
  CHECK(d.authorizations_upserted.empty());
  CHECK(policies_of(idx, web_uid).empty());
  auto [counts, notes] = idx.skips().take();
  CHECK(counts[static_cast<size_t>(skip_reason::policy_not_enforced)] == 1);
  REQUIRE(notes.size() == 1);
  CHECK(notes[0].object == "AuthorizationPolicy demo/audit");
}

TEST_CASE("a new config cluster incarnation keeps its policies and a withdrawn one takes them",
          "[mesh]") {
  auto idx = synced_index();
  idx.upsert("cluster-1", 1, make_ap("demo", "allow-web"));
  idx.take_delta();
  // Generation 2 lists the same objects, then syncs: nothing a client holds changes.
  idx.upsert("cluster-1", 2, make_namespace("demo"));
  idx.upsert("cluster-1", 2, make_namespace("other"));
  idx.upsert("cluster-1", 2, make_namespace("istio-system"));
  idx.upsert("cluster-1", 2, make_pod("web-0", "demo", "10.0.0.1", make_map({{"app", "web"}})));
  idx.upsert("cluster-1", 2, make_pod("db-0", "other", "10.0.0.2", make_map({{"app", "db"}})));
  idx.upsert("cluster-1", 2, make_ap("demo", "allow-web"));
  CHECK(idx.take_delta().empty()); // built aside
  idx.set_state("cluster-1", 2, fleet::lifecycle::synced);
  auto d = idx.take_delta();
  CHECK(d.authorizations_upserted.empty());
  CHECK(d.authorizations_removed.empty());
  CHECK(policies_of(idx, web_uid) == strings{"demo/allow-web"});
  idx.withdraw("cluster-1", 2);
  d = idx.take_delta();
  CHECK(d.authorizations_removed == strings{"demo/allow-web"});
  CHECK(idx.authorizations().empty());
}

TEST_CASE("a new config cluster incarnation with other policies changes every cluster's lists",
          "[mesh]") {
  auto idx = synced_index();
  idx.upsert("cluster-2", 1, make_namespace("demo"));
  idx.upsert("cluster-2", 1, make_pod("web-9", "demo", "10.1.0.9", make_map({{"app", "web"}})));
  idx.set_state("cluster-2", 1, fleet::lifecycle::synced);
  idx.upsert("cluster-1", 1, make_ap("demo", "allow-web"));
  idx.take_delta();
  REQUIRE(policies_of(idx, "cluster-2//Pod/demo/web-9") == strings{"demo/allow-web"});
  // Generation 2 holds another policy instead: the remote pod's list follows the swap.
  idx.upsert("cluster-1", 2, make_namespace("demo"));
  idx.upsert("cluster-1", 2, make_pod("web-0", "demo", "10.0.0.1", make_map({{"app", "web"}})));
  idx.upsert("cluster-1", 2, make_ap("demo", "allow-web-v2"));
  idx.set_state("cluster-1", 2, fleet::lifecycle::synced);
  auto d = idx.take_delta();
  CHECK(names_of(d.authorizations_upserted) == strings{"demo/allow-web-v2"});
  CHECK(d.authorizations_removed == strings{"demo/allow-web"});
  CHECK(policies_of(idx, "cluster-2//Pod/demo/web-9") == strings{"demo/allow-web-v2"});
  CHECK(policies_of(idx, web_uid) == strings{"demo/allow-web-v2"});
}

TEST_CASE("the incremental view with policies equals a recompute after random changes", "[mesh]") {
  std::mt19937 rng{7};
  auto idx = synced_index();
  const strings namespaces{"demo", "other", "istio-system"};
  const strings apps{"web", "db", ""};
  for (int step = 0; step < 400; ++step) {
    auto ns = namespaces[rng() % namespaces.size()];
    auto name = "p" + std::to_string(rng() % 6);
    switch (rng() % 5) {
      case 0:
        idx.upsert("cluster-1", 1, make_ap(ns, name, apps[rng() % apps.size()]));
        break;
      case 1:
        idx.remove("cluster-1", 1, kube::resource_kind::authorization_policies, ns + "/" + name);
        break;
      case 2: {
        auto pa = test::make_workload_pa(ns, name, mtls_mode::strict,
                                         {{8080, mtls_mode::permissive}}, step);
        if (rng() % 2 == 0)
          pa = test::make_pa(ns, name, rng() % 2 == 0 ? mtls_mode::strict : mtls_mode::permissive,
                             step);
        idx.upsert("cluster-1", 1, pa);
        break;
      }
      case 3:
        idx.remove("cluster-1", 1, kube::resource_kind::peer_authentications, ns + "/" + name);
        break;
      default:
        idx.upsert("cluster-1", 1,
                   make_pod("web-" + std::to_string(rng() % 3), ns,
                            "10.0.1." + std::to_string(step % 200),
                            make_map({{"app", apps[rng() % 2]}})));
        break;
    }
    if (rng() % 4 == 0)
      idx.take_delta();
  }
  idx.take_delta();
  CHECK(test::bytes_of(idx.resources()) == test::bytes_of(idx.recompute()));
}
