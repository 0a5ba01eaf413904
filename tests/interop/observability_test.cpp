// What an operator sees, checked with tools nobody here wrote: promtool on a live /metrics
// scrape, headless Chromium on the dashboard, and ambientctl, /debug/clusterz and the metric
// istiod_remote_cluster_sync_status agreeing at every step of a scripted scenario.
#include <catch2/catch.hpp>

#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include "sim/json.hpp"
#include "support/ambientd_harness.hpp"
#include "support/delta_client.hpp"
#include "support/http_get.hpp"

using namespace ambient;
using namespace std::chrono_literals;

namespace {

/// Counters that keep istiod's names, which have no _total suffix (docs/metrics.md).
const std::set<std::string> istiod_counter_names{"pilot_xds_pushes", "pilot_total_xds_rejects"};

using status_map = std::map<std::string, std::string>; // cluster → istioctl status word

/// /debug/clusterz as cluster → syncStatus; REQUIREs a well-formed answer.
status_map clusterz(const test::ambientd_harness& h) {
  auto r = test::http_get(h.debug_url("/debug/clusterz"));
  REQUIRE(r.status == 200);
  CHECK(r.content_type == "application/json");
  std::string error;
  auto doc = sim::parse_json(r.body, &error);
  REQUIRE(doc);
  REQUIRE(doc->is_array());
  status_map out;
  for (const auto& c : *doc) {
    const auto* id = sim::find_path(c, {"id"});
    const auto* status = sim::find_path(c, {"syncStatus"});
    REQUIRE((id && status && id->is_string() && status->is_string()));
    out[id->get<std::string>()] = status->get<std::string>();
  }
  return out;
}

/// The series of istiod_remote_cluster_sync_status at 1, as cluster → status. A cluster with
/// more than one status at 1 maps to "several".
status_map sync_status_metric(const std::string& exposition) {
  static const std::regex series{
      R"re(^istiod_remote_cluster_sync_status\{cluster="([^"]*)",status="([a-z]+)"\} ([0-9.e+-]+)$)re"};
  status_map out;
  std::istringstream in{exposition};
  for (std::string line; std::getline(in, line);) {
    std::smatch m;
    if (!std::regex_match(line, m, series) || std::stod(m[3]) != 1)
      continue;
    auto [it, added] = out.emplace(m[1], m[2]);
    if (!added)
      it->second = "several";
  }
  return out;
}

/// `ambientctl remote-clusters` as NAME → STATUS.
status_map ambientctl_table(const test::ambientd_harness& h) {
  auto r
      = test::run_command(std::string{AMBIENTCTL_BINARY}
                          + " remote-clusters --address 127.0.0.1:" + std::to_string(h.debug_port));
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  std::istringstream in{r.output};
  std::string line;
  REQUIRE(std::getline(in, line));
  CHECK(line.rfind("NAME", 0) == 0);
  status_map out;
  while (std::getline(in, line)) {
    std::istringstream cols{line};
    std::string name, secret, status;
    cols >> name >> secret >> status;
    out[name] = status;
  }
  return out;
}

std::string describe(const status_map& m) {
  std::string out;
  for (const auto& [k, v] : m)
    out += k + "=" + v + " ";
  return out;
}

/// Waits until /debug/clusterz shows `expected`, then checks that the metric and ambientctl say
/// exactly the same. Reads clusterz before and after the other two and only compares when both
/// reads agree, so a transition between the reads is retried rather than blamed.
void expect_agreement(const test::ambientd_harness& h, const status_map& expected) {
  status_map before, metric, table, after;
  for (int i = 0; i < 150; ++i) {
    before = clusterz(h);
    if (before == expected) {
      auto scrape = test::http_get(h.monitoring_url("/metrics"));
      REQUIRE(scrape.status == 200);
      metric = sync_status_metric(scrape.body);
      table = ambientctl_table(h);
      after = clusterz(h);
      if (after == before) {
        INFO("clusterz: " << describe(before));
        INFO("metric:   " << describe(metric));
        INFO("table:    " << describe(table));
        CHECK(metric == before);
        CHECK(table == before);
        return;
      }
    }
    std::this_thread::sleep_for(200ms);
  }
  FAIL("clusterz never showed " << describe(expected) << "; last: " << describe(before));
}

void put_secret_with(sim::sim_cluster& config, const std::string& name,
                     const std::string& cluster_id, const std::string& kubeconfig) {
  test::must_create(config, "secrets", "istio-system",
                    sim::make_secret_json("istio-system", name, {{"istio/multiCluster", "true"}},
                                          {{cluster_id, kubeconfig}},
                                          std::chrono::system_clock::now()));
}

void replace_secret_with(sim::sim_cluster& config, const std::string& name,
                         const std::string& cluster_id, const std::string& kubeconfig) {
  const auto& rt = *sim::find_resource("", "v1", "secrets");
  auto obj = sim::parse_json(
      sim::make_secret_json("istio-system", name, {{"istio/multiCluster", "true"}},
                            {{cluster_id, kubeconfig}}, std::chrono::system_clock::now()),
      nullptr);
  REQUIRE(obj);
  REQUIRE(!config.data().update(rt, "istio-system", name, std::move(*obj)).error);
}

} // namespace

TEST_CASE("promtool accepts a live /metrics scrape, and counters end in _total except istiod names",
          "[interop]") {
  test::ambientd_harness h{3, "ambientd-promtool"};
  test::put_remote_secret(h.cluster(0), "istio-remote-secret-cluster-2", h.cluster(1));
  h.cluster(2).down(); // cluster-3 never syncs: its timeout is counted
  test::put_remote_secret(h.cluster(0), "istio-remote-secret-cluster-3", h.cluster(2));
  h.start({"--remote-sync-timeout", "1s"});
  REQUIRE(h.wait_log(R"(cluster cluster-2: synced)"));
  REQUIRE(h.wait_log(R"(cluster cluster-3: timeout)"));
  // A ztunnel-like stream, so the xDS series exist and carry values.
  test::delta_client z{h.xds_target()};
  z.send({"*"});
  auto first = z.read();
  z.send({}, {}, first.nonce(), "rejected on purpose"); // a NACK
  REQUIRE(h.wait_log(R"(rejected)"));

  auto scrape = test::http_get(h.monitoring_url("/metrics"));
  REQUIRE(scrape.status == 200);
  CHECK(scrape.content_type == "text/plain; version=0.0.4; charset=utf-8");
  for (const char* name :
       {"istiod_managed_clusters", "istiod_remote_cluster_sync_status",
        "remote_cluster_sync_timeouts_total", "pilot_xds", "pilot_xds_pushes",
        "pilot_total_xds_rejects", "pilot_proxy_convergence_time", "ambientd_actor_messages_total",
        "ambientd_actor_handler_duration_seconds", "ambientd_actor_mailbox_depth",
        "ambientd_actors", "ambientd_informer_events_total", "ambientd_build_info"}) {
    INFO(name);
    CHECK(scrape.body.find("# TYPE " + std::string{name} + " ") != std::string::npos);
  }
  CHECK(scrape.body.find("remote_cluster_sync_timeouts_total{cluster=\"cluster-3\"} 1")
        != std::string::npos);
  CHECK(scrape.body.find("pilot_total_xds_rejects{type=\"wds\"} 1") != std::string::npos);

  // Every counter ends in _total unless it is one of istiod's names, kept on purpose.
  std::istringstream in{scrape.body};
  std::set<std::string> counters;
  for (std::string line; std::getline(in, line);) {
    std::smatch m;
    if (std::regex_match(line, m, std::regex{R"(# TYPE (\S+) counter)"}))
      counters.insert(m[1]);
  }
  REQUIRE(counters.size() > 5);
  for (const auto& c : counters) {
    INFO(c);
    CHECK((c.ends_with("_total") || istiod_counter_names.contains(c)));
  }

  // promtool lints the scrape: exit 0, or 3 with complaints only about istiod's counter names.
  auto file = (h.dir.path / "metrics.txt").string();
  std::ofstream{file} << scrape.body;
  auto lint = test::run_command("promtool check metrics", file);
  INFO("promtool said:\n" << lint.output);
  REQUIRE(lint.exit_code != 127); // scripts/setup-deps.sh installs Debian's prometheus
  REQUIRE((lint.exit_code == 0 || lint.exit_code == 3));
  std::istringstream said{lint.output};
  size_t complaints = 0;
  for (std::string line; std::getline(said, line);) {
    if (line.empty())
      continue;
    ++complaints;
    auto name = line.substr(0, line.find(' '));
    INFO(line);
    CHECK(istiod_counter_names.contains(name));
    CHECK(line.find("counter metrics should have \"_total\" suffix") != std::string::npos);
  }
  CHECK((lint.exit_code == 0) == (complaints == 0));
}

TEST_CASE("the dashboard renders in headless Chromium and shows the cluster table", "[interop]") {
  test::ambientd_harness h{2, "ambientd-dashboard"};
  test::put_remote_secret(h.cluster(0), "istio-remote-secret-cluster-2", h.cluster(1));
  h.start();
  REQUIRE(h.wait_log(R"(cluster cluster-2: synced)"));
  auto page = test::http_get(h.debug_url("/debug/dashboard"));
  REQUIRE(page.status == 200);
  CHECK(page.content_type == "text/html; charset=utf-8");

  auto dom = h.dashboard_dom();
  INFO(dom.output.substr(0, 4000));
  REQUIRE(dom.exit_code != 127); // scripts/setup-deps.sh installs Debian's chromium
  REQUIRE(dom.exit_code == 0);
  // The script filled the table from /debug/clusterz: one row per cluster.
  CHECK(dom.output.find(R"(<body data-loaded="true">)") != std::string::npos);
  std::regex row{
      R"re(<tr data-cluster="([^"]+)"><td>[^<]*</td><td>([^<]*)</td><td class="[a-z]+">([a-z]+)</td>)re"};
  status_map seen;
  for (auto it = std::sregex_iterator(dom.output.begin(), dom.output.end(), row);
       it != std::sregex_iterator(); ++it)
    seen[(*it)[1]] = (*it)[3];
  CHECK(seen == status_map{{"cluster-1", "synced"}, {"cluster-2", "synced"}});
  CHECK(dom.output.find("istio-system/istio-remote-secret-cluster-2") != std::string::npos);
  // The Policies panel is there (empty: no policy is applied; operator_view_test.cpp fills it).
  CHECK(dom.output.find(R"(<table id="policies">)") != std::string::npos);
  // The actor tree is there too, with the store and its clusters.
  CHECK(dom.output.find("cluster_store #") != std::string::npos);
  CHECK(dom.output.find("remote_cluster [cluster-2]") != std::string::npos);
}

TEST_CASE("/debug/clusterz, ambientctl remote-clusters and istiod_remote_cluster_sync_status "
          "agree at every step of a scripted scenario",
          "[interop]") {
  test::ambientd_harness h{4, "ambientd-agreement"};
  h.start({"--remote-sync-timeout", "2s"});
  auto& config = h.cluster(0);
  status_map expected{{"cluster-1", "synced"}};
  expect_agreement(h, expected);

  // A remote cluster joins.
  test::put_remote_secret(config, "istio-remote-secret-cluster-2", h.cluster(1));
  expected["cluster-2"] = "synced";
  expect_agreement(h, expected);

  // A malformed kubeconfig: stored, closed, reported the same everywhere.
  put_secret_with(config, "istio-remote-secret-cluster-3", "cluster-3", "apiVersion: v1\nkind: [");
  expected["cluster-3"] = "closed";
  expect_agreement(h, expected);

  // The next update of that secret fixes it without a restart.
  replace_secret_with(config, "istio-remote-secret-cluster-3", "cluster-3",
                      h.cluster(2).kubeconfig());
  expected["cluster-3"] = "synced";
  expect_agreement(h, expected);

  // A cluster whose API server is down times out, then syncs when it comes back.
  h.cluster(3).down();
  test::put_remote_secret(config, "istio-remote-secret-cluster-4", h.cluster(3));
  expected["cluster-4"] = "timeout";
  expect_agreement(h, expected);
  h.cluster(3).up();
  expected["cluster-4"] = "synced";
  expect_agreement(h, expected);

  // A deleted secret takes its cluster out of all three.
  test::must_remove(config, "secrets", "istio-system", "istio-remote-secret-cluster-2");
  expected.erase("cluster-2");
  expect_agreement(h, expected);

  // No bearer token of any cluster shows up in what an operator can read.
  std::vector<std::string> exposed{h.ambientd->log()};
  for (const char* path : {"/debug/clusterz", "/debug/workloads", "/debug/xds", "/debug/actors"})
    exposed.push_back(test::http_get(h.debug_url(path)).body);
  exposed.push_back(test::http_get(h.monitoring_url("/metrics")).body);
  for (size_t i = 0; i < 4; ++i) {
    auto token = h.cluster(i).token();
    REQUIRE(token.size() > 16);
    for (const auto& text : exposed)
      CHECK(text.find(token) == std::string::npos);
  }
}
