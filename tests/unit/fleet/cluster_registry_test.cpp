#include <catch2/catch.hpp>

#include "fleet/cluster_registry.hpp"

using namespace ambient::kube;
using namespace ambient::fleet;
using namespace std::chrono_literals;

namespace {

std::string kubeconfig(const std::string& server, const std::string& token) {
  return "apiVersion: v1\nkind: Config\ncurrent-context: c\nclusters:\n- name: k\n  cluster:\n"
         "    server: "
         + server
         + "\ncontexts:\n- name: c\n  context: {cluster: k, user: u}\nusers:\n- name: u\n"
           "  user:\n    token: "
         + token + "\n";
}

remote_kubeconfig entry(const std::string& id, const std::string& text) {
  return {id, text, sha256_hex(text)};
}

template <class T>
std::vector<T> only(const registry_effects& fx) {
  std::vector<T> out;
  for (const auto& e : fx)
    if (const auto* x = std::get_if<T>(&e))
      out.push_back(*x);
  return out;
}

const auto good1 = kubeconfig("https://127.0.0.1:1001", "t1");
const auto good2 = kubeconfig("https://127.0.0.1:1002", "t2");
const auto good3 = kubeconfig("https://127.0.0.1:1003", "t3");

} // namespace

TEST_CASE("a remote secret's clusters are stored then started", "[kube]") {
  cluster_registry r{"config", {}};
  auto fx = r.on_secret("istio-system/s1", {entry("c1", good1), entry("c2", good2)});
  auto starts = only<start_cluster>(fx);
  REQUIRE(starts.size() == 2);
  CHECK(starts[0].config.server == "https://127.0.0.1:1001");
  CHECK(r.clusters().at("c1").state == lifecycle::pending);
  CHECK(r.clusters().at("c2").secret == "istio-system/s1");
}

TEST_CASE("a refused kubeconfig leaves a failed entry that the next update replaces (58047)",
          "[kube]") {
  cluster_registry r{"config", {}};
  auto fx = r.on_secret("ns/s", {entry("c1", "not: [valid")});
  CHECK(only<start_cluster>(fx).empty());
  REQUIRE(r.clusters().contains("c1"));
  CHECK(r.clusters().at("c1").state == lifecycle::failed);
  CHECK(r.clusters().at("c1").last_error.find("c1") != std::string::npos);
  auto fixed = r.on_secret("ns/s", {entry("c1", good1)});
  CHECK(only<start_cluster>(fixed).size() == 1);
  CHECK(only<stop_cluster>(fixed).empty()); // nothing was running
  CHECK(r.clusters().at("c1").state == lifecycle::pending);
  CHECK(r.clusters().at("c1").last_error.empty());
}

TEST_CASE("an identical update does nothing and a changed kubeconfig restarts only that cluster",
          "[kube]") {
  cluster_registry r{"config", {}};
  r.on_secret("ns/s", {entry("a", good1), entry("b", good2), entry("c", good3)});
  auto gen_a = r.clusters().at("a").generation;
  auto gen_c = r.clusters().at("c").generation;
  CHECK(r.on_secret("ns/s", {entry("a", good1), entry("b", good2), entry("c", good3)}).empty());
  auto fx = r.on_secret(
      "ns/s", {entry("a", good1), entry("b", kubeconfig("https://x:1", "new")), entry("c", good3)});
  REQUIRE(only<stop_cluster>(fx).size() == 1);
  CHECK(only<stop_cluster>(fx)[0].cluster_id == "b");
  REQUIRE(only<start_cluster>(fx).size() == 1);
  CHECK(only<start_cluster>(fx)[0].config.token == "new");
  CHECK(r.clusters().at("a").generation == gen_a);
  CHECK(r.clusters().at("c").generation == gen_c);
}

TEST_CASE("keys removed from a secret and deleted secrets stop and withdraw their clusters",
          "[kube]") {
  cluster_registry r{"config", {}};
  r.on_secret("ns/s", {entry("a", good1), entry("b", good2)});
  auto fx = r.on_secret("ns/s", {entry("a", good1)});
  REQUIRE(only<stop_cluster>(fx).size() == 1);
  CHECK(!r.clusters().contains("b"));
  auto del = r.on_secret_deleted("ns/s");
  CHECK(only<stop_cluster>(del).size() == 1);
  CHECK(only<withdraw_cluster>(del).size() == 1);
  CHECK(r.clusters().empty());
}

TEST_CASE("only a cluster that is gone is withdrawn; a replaced or refused one keeps its place",
          "[kube]") {
  cluster_registry r{"config", {}};
  r.on_secret("ns/s", {entry("c1", good1)});
  auto gen1 = r.clusters().at("c1").generation;
  auto replaced = r.on_secret("ns/s", {entry("c1", good2)});
  CHECK(only<stop_cluster>(replaced).size() == 1);
  CHECK(only<withdraw_cluster>(replaced).empty());
  auto refused = r.on_secret("ns/s", {entry("c1", "clusters: [unclosed")});
  CHECK(only<withdraw_cluster>(refused).empty());
  // Deleting the secret withdraws everything up to the failed entry's generation, although no
  // actor runs for it (an older generation's contribution may still be in the merged view).
  auto gen_failed = r.clusters().at("c1").generation;
  CHECK(gen_failed > gen1);
  auto gone = r.on_secret_deleted("ns/s");
  CHECK(only<stop_cluster>(gone).empty());
  REQUIRE(only<withdraw_cluster>(gone).size() == 1);
  CHECK(only<withdraw_cluster>(gone)[0].generation == gen_failed);
}

TEST_CASE("the config cluster's own ID in a secret is ignored with a warning", "[kube]") {
  cluster_registry r{"config", {}};
  auto fx = r.on_secret("ns/s", {entry("config", good1)});
  CHECK(r.clusters().empty());
  REQUIRE(only<notice>(fx).size() == 1);
  CHECK(only<notice>(fx)[0].message.find("config cluster") != std::string::npos);
}

TEST_CASE("the config cluster is a cluster like the others that no secret can take or remove",
          "[kube]") {
  cluster_registry r{"config", {}};
  rest_config local;
  local.server = "https://10.96.0.1:443";
  local.token = "sa-token";
  auto fx = r.add_config_cluster(local);
  REQUIRE(only<start_cluster>(fx).size() == 1);
  CHECK(only<start_cluster>(fx)[0].cluster_id == "config");
  CHECK(r.add_config_cluster(local).empty()); // added once
  auto gen = r.clusters().at("config").generation;
  r.on_secret("ns/s", {entry("config", good1), entry("c1", good2)});
  r.on_secret_deleted("ns/s");
  REQUIRE(r.clusters().contains("config"));
  CHECK(r.clusters().at("config").generation == gen);
  CHECK(r.clusters().at("config").secret.empty());
  // It is supervised like any other cluster.
  CHECK(only<restart_later>(r.on_cluster_died("config", gen, "boom", {}, 0)).size() == 1);
  CHECK(only<start_cluster>(r.on_restart_due("config", gen)).size() == 1);
}

TEST_CASE("the first secret wins a contested ID and the next claimant takes over on release",
          "[kube]") {
  cluster_registry r{"config", {}};
  r.on_secret("ns/first", {entry("c1", good1)});
  auto fx = r.on_secret("ns/second", {entry("c1", good2)});
  CHECK(only<start_cluster>(fx).empty());
  REQUIRE(r.conflicts().size() == 1);
  CHECK(r.conflicts()[0].owner == "ns/first");
  CHECK(r.conflicts()[0].claimant == "ns/second");
  CHECK(r.clusters().at("c1").secret == "ns/first");
  auto takeover = r.on_secret_deleted("ns/first");
  CHECK(only<stop_cluster>(takeover).size() == 1);
  REQUIRE(only<start_cluster>(takeover).size() == 1);
  CHECK(only<start_cluster>(takeover)[0].config.token == "t2");
  CHECK(r.clusters().at("c1").secret == "ns/second");
  CHECK(r.conflicts().empty());
}

TEST_CASE("a claimant that drops its claim leaves no conflict behind", "[kube]") {
  cluster_registry r{"config", {}};
  r.on_secret("ns/first", {entry("c1", good1)});
  r.on_secret("ns/second", {entry("c1", good2)});
  r.on_secret("ns/second", {});
  CHECK(r.conflicts().empty());
  auto fx = r.on_secret_deleted("ns/first");
  CHECK(only<start_cluster>(fx).empty());
  CHECK(r.clusters().empty());
}

TEST_CASE("a dead cluster actor is restarted after a backoff and restarts are counted", "[kube]") {
  backoff::params p;
  p.initial = 100ms;
  p.jitter = 0;
  cluster_registry r{"config", {}, p};
  r.on_secret("ns/s", {entry("c1", good1)});
  auto gen = r.clusters().at("c1").generation;
  auto fx = r.on_cluster_died("c1", gen, "boom", {}, 0);
  REQUIRE(only<restart_later>(fx).size() == 1);
  CHECK(only<restart_later>(fx)[0].delay == 100ms);
  CHECK(r.clusters().at("c1").restarts == 1);
  CHECK(r.clusters().at("c1").state == lifecycle::failed);
  auto again = r.on_restart_due("c1", gen);
  REQUIRE(only<start_cluster>(again).size() == 1);
  auto gen2 = r.clusters().at("c1").generation;
  CHECK(gen2 != gen);
  // A second death backs off longer; a death report of an old generation is ignored.
  CHECK(only<restart_later>(r.on_cluster_died("c1", gen, "late", {}, 0)).empty());
  CHECK(only<restart_later>(r.on_cluster_died("c1", gen2, "boom", {}, 0))[0].delay == 200ms);
  CHECK(r.clusters().at("c1").restarts == 2);
}

TEST_CASE("a restart that became stale is dropped", "[kube]") {
  cluster_registry r{"config", {}};
  r.on_secret("ns/s", {entry("c1", good1)});
  auto gen = r.clusters().at("c1").generation;
  r.on_cluster_died("c1", gen, "boom", {}, 0);
  r.on_secret("ns/s", {entry("c1", good2)}); // replaced meanwhile
  CHECK(r.on_restart_due("c1", gen).empty());
  r.on_secret_deleted("ns/s");
  CHECK(r.on_restart_due("c1", gen).empty());
}

TEST_CASE("state reports update the record unless they come from an old generation", "[kube]") {
  cluster_registry r{"config", {}};
  r.on_secret("ns/s", {entry("c1", good1)});
  auto gen = r.clusters().at("c1").generation;
  r.on_state("c1", gen, lifecycle::synced, "");
  CHECK(r.clusters().at("c1").state == lifecycle::synced);
  r.on_state("c1", gen + 100, lifecycle::stale, "x");
  CHECK(r.clusters().at("c1").state == lifecycle::synced);
  r.on_state("c1", gen, lifecycle::stale, "API server unreachable");
  CHECK(r.clusters().at("c1").last_error == "API server unreachable");
}

TEST_CASE("a remote secret's data becomes hashed kubeconfigs", "[kube]") {
  secret s;
  s.data = {{"c1", good1}, {"c2", good2}};
  auto entries = read_remote_secret(s);
  REQUIRE(entries.size() == 2);
  CHECK(entries[0].cluster_id == "c1");
  CHECK(entries[0].sha256 == sha256_hex(good1));
  CHECK(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}
