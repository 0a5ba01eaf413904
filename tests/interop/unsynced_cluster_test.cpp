// Unsynced means unserved, through the ambientd binary: a remote cluster whose LIST of one
// resource keeps failing (403, 500) or never returns contributes nothing to a delta client, even
// with its other informers synced and its sync deadline passed, until that LIST succeeds.
#include <catch2/catch.hpp>

#include <thread>

#include "sim/json.hpp"
#include "sim/workload.hpp"
#include "support/ambientd_harness.hpp"
#include "support/delta_client.hpp"
#include "support/http_get.hpp"

using namespace ambient;
using namespace std::chrono_literals;

namespace {

/// Whether /debug/clusterz shows `cluster`'s `resource` informer synced with objects.
bool informer_synced(const test::ambientd_harness& h, const std::string& cluster,
                     const std::string& resource) {
  auto r = test::http_get(h.debug_url("/debug/clusterz"));
  auto doc = r.status == 200 ? sim::parse_json(r.body, nullptr) : std::nullopt;
  if (!doc || !doc->is_array())
    return false;
  for (const auto& c : *doc) {
    if (c.value("id", "") != cluster || !c.contains("informers"))
      continue;
    for (const auto& i : c["informers"])
      if (i.value("resource", "") == resource)
        return i.value("synced", false) && i.value("objects", 0) > 0;
  }
  return false;
}

size_t workloads_of(const test::delta_client& z, const std::string& cluster) {
  size_t n = 0;
  for (const auto& [name, a] : z.held)
    n += a.has_workload() && a.workload().cluster_id() == cluster;
  return n;
}

} // namespace

TEST_CASE("a remote cluster whose LIST of one resource fails or hangs contributes nothing to a "
          "delta client until it syncs",
          "[interop]") {
  const int code = GENERATE(403, 500, 0); // 0: the LIST is held unanswered
  INFO("services LIST refused with "
       << (code == 0 ? std::string{"no answer"} : std::to_string(code)));
  test::ambientd_harness h{2, "ambientd-unsynced"};
  h.seed(0, {1, 1, 1, 1, true});
  h.seed_remote(1, {1, 1, 2, 6, true});
  h.cluster(1).faults().refuse_lists("services", code);
  h.start({"--remote-sync-timeout", "2s"});

  // cluster-2's sync deadline passes, its pods are listed, and still nothing of it is served.
  REQUIRE(h.wait_log(R"(cluster cluster-2: (timeout|failed|syncing))"));
  REQUIRE(h.wait_log(R"(cluster cluster-2: timeout)"));
  bool pods_in = false;
  for (int i = 0; i < 150 && !pods_in; ++i) {
    pods_in = informer_synced(h, "cluster-2", "pods");
    if (!pods_in)
      std::this_thread::sleep_for(200ms);
  }
  REQUIRE(pods_in);
  test::delta_client z{h.xds_target()};
  z.send({"*"});
  auto first = z.read();
  z.send({}, {}, first.nonce());
  CHECK(workloads_of(z, "cluster-2") == 0);
  for (const auto& [name, a] : z.held)
    CHECK_FALSE(name.starts_with("cluster-2/"));

  // A change of cluster-1 after all that is served alone: cluster-2 had its chance and stayed out.
  test::must_create_pod(h.cluster(0), "app-1", "marker", "10.9.9.9");
  REQUIRE(z.read_until([&] { return !z.workload_named("marker").empty(); }));
  CHECK(workloads_of(z, "cluster-2") == 0);

  // The LIST succeeds: cluster-2 syncs and all of it arrives.
  h.cluster(1).faults().refuse_lists("", 0);
  REQUIRE(h.wait_log(R"(cluster cluster-2: synced)"));
  CHECK(z.read_until([&] { return workloads_of(z, "cluster-2") == 6; }));
  CHECK(h.ambientd->stop() == 0);
}
