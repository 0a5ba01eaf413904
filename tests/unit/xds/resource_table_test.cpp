#include <catch2/catch.hpp>

#include <set>
#include <stdexcept>

#include "unit/xds/address_builders.hpp"
#include "xds/change_log.hpp"
#include "xds/resource_table.hpp"
#include "xds/type_urls.hpp"

using namespace ambient;
using namespace ambient::xds;
using namespace ambient::test; // the builders of address_builders.hpp
using strings = std::vector<std::string>;

TEST_CASE("an Address delta upserts and removes resources at the delta's version", "[xds]") {
  auto t = address_table();
  auto w1 = make_workload_resource("w1", "10.0.0.1");
  CHECK(apply_addresses(t, make_delta(3, {w1, make_workload_resource("w2", "10.0.0.2")})) == 2);
  CHECK(t.version() == 3);
  REQUIRE(t.find("w1"));
  CHECK(t.find("w1")->version == "3");
  CHECK(t.find("w1")->bytes == w1->bytes);
  CHECK(t.find("w1")->aliases == strings{"net1/10.0.0.1"});

  CHECK(apply_addresses(t,
                        make_delta(5, {make_workload_resource("w1", "10.0.0.1", {}, "v2")}, {"w2"}))
        == 2);
  CHECK(t.version() == 5);
  CHECK(t.find("w1")->version == "5");
  CHECK(!t.find("w2"));
  CHECK(t.entries().size() == 1);
}

TEST_CASE("re-applying identical resources changes neither versions nor the log", "[xds]") {
  auto t = address_table();
  apply_addresses(t, make_delta(1, {make_workload_resource("w1", "10.0.0.1")}));
  CHECK(apply_addresses(t, make_delta(2, {make_workload_resource("w1", "10.0.0.1")}, {"nope"}))
        == 0);
  CHECK(t.version() == 1);
  CHECK(t.find("w1")->version == "1");
  CHECK(t.changed_since(1).names.empty());
}

TEST_CASE("a table refuses a changing delta that does not advance its version", "[xds]") {
  auto t = address_table();
  apply_addresses(t, make_delta(4, {make_workload_resource("w1", "10.0.0.1")}));
  CHECK_THROWS_AS(apply_addresses(t, make_delta(4, {make_workload_resource("w2", "10.0.0.2")})),
                  std::logic_error);
  CHECK_THROWS_AS(t.apply({}, {"w1"}, 3), std::logic_error);
  CHECK(apply_addresses(t, make_delta(4, {}))
        == 0); // an empty delta repeats the version harmlessly
  CHECK(t.find("w1"));
}

TEST_CASE("the change log names what changed after a version", "[xds]") {
  auto t = address_table();
  apply_addresses(t, make_delta(1, {make_workload_resource("a", "10.0.0.1")}));
  apply_addresses(t, make_delta(2, {make_workload_resource("b", "10.0.0.2")}));
  apply_addresses(t, make_delta(3, {make_workload_resource("a", "10.0.0.3")}, {"b"}));
  struct row {
    uint64_t since;
    strings names;
  };
  auto rows = GENERATE(
      values<row>({{0, {"a", "b"}}, {1, {"a", "b"}}, {2, {"a", "b"}}, {3, {}}, {9, {}}}));
  auto c = t.changed_since(rows.since);
  CHECK(!c.full_resync);
  CHECK(c.names == rows.names);
}

TEST_CASE("a bounded change log drops whole versions and asks older readers to resync", "[xds]") {
  change_log log{3};
  log.record(1, "a");
  log.record(2, "b");
  log.record(2, "c");
  CHECK(log.floor() == 0);
  log.record(3, "d"); // 4 entries: version 1 goes
  CHECK(log.floor() == 1);
  log.record(4, "e"); // version 2 goes whole, not just "b"
  CHECK(log.floor() == 2);
  CHECK(log.size() == 2);
  CHECK(log.since(1).full_resync);
  CHECK(!log.since(2).full_resync);
  CHECK(log.since(2).names == strings{"d", "e"});
  CHECK(log.since(3).names == strings{"e"});
}

TEST_CASE("a table whose change log overflowed reports a resync floor", "[xds]") {
  auto t = address_table(2);
  for (uint64_t v = 1; v <= 5; ++v)
    apply_addresses(t,
                    make_delta(v, {make_workload_resource("w" + std::to_string(v), "10.0.0.1")}));
  CHECK(t.resync_floor() == 3);
  CHECK(t.changed_since(2).full_resync);
  CHECK(t.changed_since(3).names == strings{"w4", "w5"});
}

TEST_CASE("the shared change answer follows the table and the asked version", "[xds]") {
  auto t = address_table(3);
  apply_addresses(t, make_delta(1, {make_workload_resource("w1", "10.0.0.1")}));
  apply_addresses(t, make_delta(2, {make_workload_resource("w2", "10.0.0.2")}));
  CHECK(t.changes_after(1).names == strings{"w2"});
  CHECK(t.changes_after(0).names == strings{"w1", "w2"}); // another version asked
  CHECK(t.changes_after(1).names == strings{"w2"});
  apply_addresses(t, make_delta(3, {make_workload_resource("w3", "10.0.0.3")}, {"w1"}));
  CHECK(t.changes_after(1).names == strings{"w1", "w2", "w3"}); // the table moved
  apply_addresses(t, make_delta(4, {make_workload_resource("w4", "10.0.0.4")}));
  CHECK(t.changes_after(1).full_resync); // past the floor now
  // find() follows replacements and removals
  apply_addresses(t, make_delta(5, {make_workload_resource("w2", "10.0.0.9")}, {"w3"}));
  REQUIRE(t.find("w2"));
  CHECK(t.find("w2")->version == "5");
  CHECK(t.find("w3") == nullptr);
  CHECK(t.find("w4")->name == "w4");
}

TEST_CASE("on-demand keys resolve by uid, service key and network/ip", "[xds]") {
  auto t = address_table();
  auto web = service_key("web");
  apply_addresses(t, make_delta(1, {make_service_resource("web", "10.96.0.1"),
                                    make_workload_resource("w1", "10.0.0.1", {web}),
                                    make_workload_resource("w2", "10.0.0.2", {web}),
                                    make_workload_resource("w3", "10.0.0.3"),
                                    make_workload_resource("w6", "fd00::6")}));
  struct row {
    std::string key;
    strings names;
  };
  auto r = GENERATE_COPY(values<row>({
      {"w3", {"w3"}},
      {web, {web, "w1", "w2"}},
      {"net1/10.0.0.1", {"w1"}},
      {"net1/10.96.0.1", {web, "w1", "w2"}},
      {"net1/fd00::6", {"w6"}},
      {"net2/10.0.0.1", {}},
      {"demo/other.demo.svc.cluster.local", {}},
      {"nothing", {}},
  }));
  CAPTURE(r.key);
  CHECK(t.resolve(r.key) == r.names);
}

TEST_CASE("a network/ip shared by a workload and a VIP resolves to the workload", "[xds]") {
  auto t = address_table();
  apply_addresses(t, make_delta(1, {make_service_resource("web", "10.0.0.9"),
                                    make_workload_resource("w9", "10.0.0.9")}));
  CHECK(t.resolve("net1/10.0.0.9") == strings{"w9"});
}

TEST_CASE("the service index follows workloads that join and leave a service", "[xds]") {
  auto t = address_table();
  auto web = service_key("web");
  apply_addresses(t, make_delta(1, {make_service_resource("web", "10.96.0.1"),
                                    make_workload_resource("w1", "10.0.0.1", {web})}));
  CHECK(t.workloads_of(web) == strings{"w1"});
  apply_addresses(t, make_delta(2, {make_workload_resource("w2", "10.0.0.2", {web}),
                                    make_workload_resource("w1", "10.0.0.1")}));
  CHECK(t.workloads_of(web) == strings{"w2"});
  apply_addresses(t, make_delta(3, {}, {"w2"}));
  CHECK(t.workloads_of(web).empty());
  CHECK(t.resolve(web) == strings{web});
  CHECK(t.resolve("net1/10.0.0.2").empty());
}

TEST_CASE("the node index follows workloads that arrive on a node and move or vanish", "[xds]") {
  auto t = address_table();
  using names = std::set<std::string>;
  apply_addresses(t, make_delta(1, {make_service_resource("web", "10.96.0.1"),
                                    make_workload_resource("w1", "10.0.0.1", {}, "", "node-a"),
                                    make_workload_resource("w2", "10.0.0.2", {}, "", "node-a"),
                                    make_workload_resource("w3", "10.0.0.3", {}, "", "node-b"),
                                    make_workload_resource("w4", "10.0.0.4")}));
  CHECK(t.workloads_on("node-a") == names{"w1", "w2"});
  CHECK(t.workloads_on("node-b") == names{"w3"});
  CHECK(t.workloads_on("").empty()); // w4 has no node and is not indexed
  CHECK(t.workloads_on("node-z").empty());
  // w1 moves to node-b (same bytes otherwise), w4 lands on node-a, w2 vanishes.
  apply_addresses(t, make_delta(2,
                                {make_workload_resource("w1", "10.0.0.1", {}, "", "node-b"),
                                 make_workload_resource("w4", "10.0.0.4", {}, "", "node-a")},
                                {"w2"}));
  CHECK(t.workloads_on("node-a") == names{"w4"});
  CHECK(t.workloads_on("node-b") == names{"w1", "w3"});
  CHECK(t.find("w1")->version == "2");
  // A workload that leaves every node leaves the index; an emptied node is gone.
  apply_addresses(t, make_delta(3, {make_workload_resource("w4", "10.0.0.4")}, {"w1", "w3"}));
  CHECK(t.workloads_on("node-a").empty());
  CHECK(t.workloads_on("node-b").empty());
}

TEST_CASE("a changed address moves the workload's alias", "[xds]") {
  auto t = address_table();
  apply_addresses(t, make_delta(1, {make_workload_resource("w1", "10.0.0.1")}));
  apply_addresses(t, make_delta(2, {make_workload_resource("w1", "10.0.0.7")}));
  CHECK(t.resolve("net1/10.0.0.1").empty());
  CHECK(t.resolve("net1/10.0.0.7") == strings{"w1"});
  CHECK(t.find("w1")->aliases == strings{"net1/10.0.0.7"});
}

TEST_CASE("a generic table takes upserts, removals and aliases of any type", "[xds]") {
  resource_table t{std::string{cluster_type_url}};
  CHECK(t.apply({{"c1", "one", {"x"}}, {"c2", "two", {}}}, {}, 7) == 2);
  CHECK(t.version() == 7);
  CHECK(t.find("c1")->version == "7");
  CHECK(t.resolve("x") == strings{"c1"});
  CHECK(t.resolve("c2") == strings{"c2"});
  CHECK(t.apply({{"c2", "two", {}}}, {"c1"}, 8) == 1);
  CHECK(!t.find("c1"));
  CHECK(t.resolve("x").empty());
  CHECK(t.changed_since(7).names == strings{"c1"});
}
