#include <catch2/catch.hpp>

#include "fleet/cluster_sync.hpp"

using namespace ambient::kube;
using namespace ambient::fleet;

namespace {

const std::vector<resource_kind> two{resource_kind::pods, resource_kind::services};

} // namespace

TEST_CASE("a cluster is synced only when every informer has listed", "[kube]") {
  cluster_sync s{two};
  CHECK(s.state() == lifecycle::syncing);
  CHECK(!s.on_report(resource_kind::pods, true, true, ""));
  CHECK(s.on_report(resource_kind::services, true, true, "") == lifecycle::synced);
  CHECK(s.ever_synced());
}

TEST_CASE("a sync deadline marks timeout and a late sync is still admitted (61339)", "[kube]") {
  cluster_sync s{two};
  s.on_report(resource_kind::pods, false, false, "connection refused");
  CHECK(s.on_sync_deadline() == lifecycle::timeout);
  CHECK(s.last_error() == "pods: connection refused");
  s.on_report(resource_kind::pods, true, true, "");
  CHECK(s.on_report(resource_kind::services, true, true, "") == lifecycle::synced);
  CHECK(!s.on_sync_deadline()); // a deadline after the sync changes nothing
}

TEST_CASE("a synced cluster that loses its API server is stale until it heals", "[kube]") {
  cluster_sync s{two};
  s.on_report(resource_kind::pods, true, true, "");
  s.on_report(resource_kind::services, true, true, "");
  CHECK(s.on_report(resource_kind::pods, false, false, "watch: connection refused")
        == lifecycle::stale);
  CHECK(s.last_error() == "pods: watch: connection refused");
  CHECK(!s.on_report(resource_kind::services, false, false, "x"));
  s.on_report(resource_kind::services, true, true, "");
  CHECK(s.on_report(resource_kind::pods, true, true, "") == lifecycle::synced);
  CHECK(s.last_error().empty());
}

TEST_CASE("reports from kinds the cluster does not watch are ignored", "[kube]") {
  cluster_sync s{two};
  CHECK(!s.on_report(resource_kind::leases, true, true, ""));
  CHECK(s.state() == lifecycle::syncing);
  CHECK(remote_cluster_resources().size() == 6);
}
