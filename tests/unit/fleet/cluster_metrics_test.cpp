#include <catch2/catch.hpp>

#include "fleet/cluster_metrics.hpp"

using namespace ambient;
using Catch::Matchers::Contains;
using fleet::lifecycle;

namespace {

fleet::cluster_record record(const std::string& id, lifecycle s) {
  fleet::cluster_record r;
  r.cluster_id = id;
  r.state = s;
  return r;
}

std::string status_line(const std::string& cluster, const std::string& status, int v) {
  return "istiod_remote_cluster_sync_status{cluster=\"" + cluster + "\",status=\"" + status + "\"} "
         + std::to_string(v) + "\n";
}

} // namespace

TEST_CASE("istioctl's status words for every lifecycle state", "[kube]") {
  CHECK(std::string{fleet::istioctl_status(lifecycle::pending)} == "syncing");
  CHECK(std::string{fleet::istioctl_status(lifecycle::syncing)} == "syncing");
  CHECK(std::string{fleet::istioctl_status(lifecycle::synced)} == "synced");
  CHECK(std::string{fleet::istioctl_status(lifecycle::stale)} == "synced");
  CHECK(std::string{fleet::istioctl_status(lifecycle::timeout)} == "timeout");
  CHECK(std::string{fleet::istioctl_status(lifecycle::failed)} == "closed");
}

TEST_CASE("cluster metrics follow the registry: one status at 1, managed counts, timeouts",
          "[kube]") {
  telemetry::registry reg;
  fleet::cluster_metrics m{reg, "config"};
  std::map<std::string, fleet::cluster_record> clusters{
      {"config", record("config", lifecycle::synced)},
      {"east", record("east", lifecycle::syncing)}};
  m.update(clusters);
  auto text = reg.encode();
  CHECK_THAT(text, Contains("istiod_managed_clusters{cluster_type=\"local\"} 1\n"));
  CHECK_THAT(text, Contains("istiod_managed_clusters{cluster_type=\"remote\"} 1\n"));
  CHECK_THAT(text, Contains(status_line("east", "syncing", 1)));
  CHECK_THAT(text, Contains(status_line("east", "synced", 0)));
  CHECK_THAT(text, Contains(status_line("east", "timeout", 0)));
  CHECK_THAT(text, Contains(status_line("east", "closed", 0)));
  CHECK_THAT(text, Contains("ambientd_cluster_state{cluster=\"east\",state=\"syncing\"} 1\n"));

  // Entering timeout counts once, however often the registry is looked at.
  clusters["east"].state = lifecycle::timeout;
  m.update(clusters);
  m.update(clusters);
  text = reg.encode();
  CHECK_THAT(text, Contains("remote_cluster_sync_timeouts_total{cluster=\"east\"} 1\n"));
  CHECK_THAT(text, Contains(status_line("east", "timeout", 1)));
  CHECK_THAT(text, Contains(status_line("east", "syncing", 0)));

  // Stale is still "synced" to istioctl, and to the metric; ambientd's own gauge tells them apart.
  clusters["east"].state = lifecycle::stale;
  m.update(clusters);
  text = reg.encode();
  CHECK_THAT(text, Contains(status_line("east", "synced", 1)));
  CHECK_THAT(text, Contains("ambientd_cluster_state{cluster=\"east\",state=\"stale\"} 1\n"));
  CHECK_THAT(text, Contains("ambientd_cluster_state{cluster=\"east\",state=\"synced\"} 0\n"));

  // A cluster that leaves loses its status series; its timeout count stays.
  clusters.erase("east");
  m.update(clusters);
  text = reg.encode();
  CHECK(text.find("cluster=\"east\",status=") == std::string::npos);
  CHECK(text.find("ambientd_cluster_state{cluster=\"east\"") == std::string::npos);
  CHECK_THAT(text, Contains("remote_cluster_sync_timeouts_total{cluster=\"east\"} 1\n"));
  CHECK_THAT(text, Contains("istiod_managed_clusters{cluster_type=\"remote\"} 0\n"));
}

TEST_CASE("a cluster that times out again after coming back is counted again", "[kube]") {
  telemetry::registry reg;
  fleet::cluster_metrics m{reg, "config"};
  std::map<std::string, fleet::cluster_record> clusters{
      {"west", record("west", lifecycle::timeout)}};
  m.update(clusters);
  clusters["west"].state = lifecycle::synced;
  m.update(clusters);
  clusters["west"].state = lifecycle::timeout;
  m.update(clusters);
  CHECK_THAT(reg.encode(), Contains("remote_cluster_sync_timeouts_total{cluster=\"west\"} 2\n"));
  CHECK_THAT(reg.encode(), Contains("istiod_managed_clusters{cluster_type=\"local\"} 0\n"));
}

TEST_CASE("a stale cluster's age and suspension are gauges, 0 when current and gone with it",
          "[fleet]") {
  using namespace std::chrono_literals;
  const std::chrono::steady_clock::time_point t0{1h};
  telemetry::registry reg;
  fleet::cluster_metrics m{reg, "config"};
  fleet::staleness s{"config"};
  std::map<std::string, fleet::cluster_record> clusters{
      {"east", record("east", lifecycle::synced)}};
  s.update(clusters, t0);
  m.update(clusters);
  m.update_staleness(s, t0);
  CHECK_THAT(reg.encode(), Contains("ambientd_cluster_stale_seconds{cluster=\"east\"} 0\n"));
  CHECK_THAT(reg.encode(), Contains("ambientd_cluster_suspended{cluster=\"east\"} 0\n"));
  clusters["east"].state = lifecycle::stale;
  s.update(clusters, t0 + 1s);
  m.update(clusters);
  m.update_staleness(s, t0 + 91s);
  CHECK_THAT(reg.encode(), Contains("ambientd_cluster_stale_seconds{cluster=\"east\"} 90\n"));
  s.due(t0 + 91s, 60s);
  m.update_staleness(s, t0 + 92s);
  CHECK_THAT(reg.encode(), Contains("ambientd_cluster_stale_seconds{cluster=\"east\"} 91\n"));
  CHECK_THAT(reg.encode(), Contains("ambientd_cluster_suspended{cluster=\"east\"} 1\n"));
  clusters.erase("east");
  s.update(clusters, t0 + 93s);
  m.update(clusters);
  CHECK(reg.encode().find("cluster=\"east\"") == std::string::npos);
}
