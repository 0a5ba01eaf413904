// Remote secrets as operators apply them, through the real binaries: `ambientctl
// create-remote-secret | kubectl apply` brings a cluster in; applying the same secret again, or
// touching only its metadata, restarts nothing and sends delta clients nothing; a changed
// kubeconfig restarts the cluster exactly once.
#include <catch2/catch.hpp>

#include <fstream>
#include <iterator>
#include <regex>
#include <set>
#include <thread>

#include "sim/json.hpp"
#include "sim/workload.hpp"
#include "support/ambientd_harness.hpp"
#include "support/delta_client.hpp"
#include "support/http_get.hpp"

using namespace ambient;
using namespace std::chrono_literals;

namespace {

/// A cluster's row of /debug/clusterz.
struct cluster_row {
  std::string state;
  int64_t restarts = -1;
  int64_t generation = -1;
};

cluster_row clusterz_row(const test::ambientd_harness& h, const std::string& id) {
  auto r = test::http_get(h.debug_url("/debug/clusterz"));
  REQUIRE(r.status == 200);
  auto doc = sim::parse_json(r.body, nullptr);
  REQUIRE(doc);
  REQUIRE(doc->is_array());
  for (const auto& c : *doc)
    if (c.value("id", "") == id)
      return {c.value("state", ""), c.value("restarts", -1), c.value("generation", -1)};
  FAIL("cluster " << id << " is not in /debug/clusterz: " << r.body);
  return {};
}

/// `ambientctl create-remote-secret` for `kubeconfig` as cluster `name`, piped into kubectl apply
/// (a failure of either side fails the pipe); returns kubectl's output.
std::string apply_remote_secret(const test::ambientd_harness& h, const std::string& kubeconfig,
                                const std::string& name) {
  auto pipe = std::string{AMBIENTCTL_BINARY} + " create-remote-secret --kubeconfig \"" + kubeconfig
              + "\" --name " + name + " | KUBECONFIG=\"" + h.fleet->cluster(0).kubeconfig_path()
              + "\" timeout 30 kubectl apply --validate=false -f -";
  auto r = test::run_command("bash -o pipefail -c '" + pipe + "'");
  INFO(pipe << "\n" << r.output);
  REQUIRE(r.exit_code == 0);
  return r.output;
}

size_t count_lines(const test::ambientd_harness& h, const std::string& re) {
  return h.ambientd->count_log(std::regex{re});
}

/// Whether a delta response names anything of `cluster` (a resource or a removal).
bool touches(const envoy::service::discovery::v3::DeltaDiscoveryResponse& r,
             const std::string& cluster) {
  for (const auto& res : r.resources())
    if (res.name().starts_with(cluster + "/"))
      return true;
  return r.removed_resources_size() > 0;
}

} // namespace

TEST_CASE("applying an unchanged remote secret restarts nothing and pushes nothing; a changed "
          "kubeconfig restarts its cluster once; ambientctl | kubectl apply works end to end",
          "[interop]") {
  test::ambientd_harness h{3, "ambientd-secret-apply"};
  h.seed(1, {1, 1, 2, 6, true});
  h.seed(2, {1, 1, 2, 5, true});
  h.start();
  REQUIRE(h.wait_log(R"(cluster cluster-1: synced)"));

  // In by the pipe the docs give.
  const auto kubeconfig_2 = h.cluster(1).kubeconfig_path();
  CHECK_THAT(apply_remote_secret(h, kubeconfig_2, "cluster-2"), Catch::Contains("created"));
  REQUIRE(h.wait_log(R"(merged view: clusters \[cluster-1,cluster-2\])"));
  test::delta_client z{h.xds_target()};
  z.send({"*"});
  auto count_of = [&](const std::string& cluster) {
    size_t n = 0;
    for (const auto& [name, a] : z.held)
      n += a.has_workload() && a.workload().cluster_id() == cluster;
    return n;
  };
  REQUIRE(z.read_until([&] { return count_of("cluster-2") == 6; }));
  const auto before = clusterz_row(h, "cluster-2");
  CHECK(before.state == "synced");
  CHECK(before.restarts == 0);

  // The same bytes again: kubectl patches stringData again (the server keeps only data), which
  // changes nothing stored. Then a metadata-only change: the secret's watch event reaches
  // ambientd with the same kubeconfig.
  apply_remote_secret(h, kubeconfig_2, "cluster-2");
  h.kubectl("annotate secret istio-remote-secret-cluster-2 -n istio-system touched-by=test");
  // Barrier: a later secret's cluster starting proves the annotated one was handled before it
  // (one informer, one secret watcher, one cluster store: the order is kept).
  CHECK_THAT(apply_remote_secret(h, h.cluster(2).kubeconfig_path(), "cluster-3"),
             Catch::Contains("created"));
  REQUIRE(h.wait_log(R"(cluster cluster-3 started)"));
  // Every response until cluster-3 is in is about cluster-3 alone: nothing of cluster-2 was
  // withdrawn or re-sent.
  for (int i = 0; i < 30 && count_of("cluster-3") < 5; ++i) {
    auto r = z.read();
    z.send({}, {}, r.nonce());
    CHECK_FALSE(touches(r, "cluster-2"));
  }
  REQUIRE(count_of("cluster-3") == 5);
  auto same = clusterz_row(h, "cluster-2");
  CHECK(same.generation == before.generation);
  CHECK(same.restarts == 0);
  CHECK(count_lines(h, R"(cluster cluster-2 started)") == 1);
  CHECK(count_lines(h, R"(cluster cluster-2 stopped)") == 0);

  // A changed kubeconfig (the same cluster and credentials under another user name: new bytes
  // after ambientctl re-renders it) replaces the cluster: one new generation.
  auto changed = (h.dir.path / "cluster-2-changed.kubeconfig").string();
  {
    std::ifstream in{kubeconfig_2};
    std::string text{std::istreambuf_iterator<char>{in}, {}};
    auto renamed = std::regex_replace(text, std::regex{"cluster-2-admin"}, "cluster-2-operator");
    REQUIRE(renamed != text);
    std::ofstream{changed} << renamed;
  }
  CHECK_THAT(apply_remote_secret(h, changed, "cluster-2"), Catch::Contains("configured"));
  for (int i = 0; i < 300 && count_lines(h, R"(cluster cluster-2 started)") < 2; ++i)
    std::this_thread::sleep_for(100ms);
  REQUIRE(count_lines(h, R"(cluster cluster-2 started)") == 2);
  REQUIRE(h.wait_log(R"(cluster cluster-2: synced)"));
  int64_t generation = -1;
  for (int i = 0; i < 300; ++i) {
    auto row = clusterz_row(h, "cluster-2");
    if (row.state == "synced" && row.generation != before.generation) {
      generation = row.generation;
      break;
    }
    std::this_thread::sleep_for(100ms);
  }
  REQUIRE(generation > before.generation);
  // Barrier again: a later secret change handled proves no second restart was queued behind it.
  h.kubectl("delete secret istio-remote-secret-cluster-3 -n istio-system");
  REQUIRE(h.wait_log(R"(cluster cluster-3 stopped)"));
  auto after = clusterz_row(h, "cluster-2");
  CHECK(after.generation == generation);
  CHECK(after.restarts == 0);
  CHECK(after.state == "synced");
  CHECK(count_lines(h, R"(cluster cluster-2 started)") == 2);
  CHECK(count_lines(h, R"(cluster cluster-2 stopped)") == 1);
  // The client still holds every cluster-2 workload once the restarted cluster is back.
  REQUIRE(z.read_until([&] { return count_of("cluster-2") == 6 && count_of("cluster-3") == 0; }));
  CHECK(h.ambientd->stop() == 0);
}
