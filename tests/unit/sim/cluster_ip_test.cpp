#include <catch2/catch.hpp>

#include <set>
#include <string>

#include "sim/cluster_ip.hpp"
#include "sim/fleet_addresses.hpp"
#include "sim/store.hpp"
#include "support/sim_json.hpp"

using namespace ambient::sim;
using ambient::test::json_doc;

namespace {

const resource_type& services() {
  return *find_resource("", "v1", "services");
}

/// Creates namespace `ns` in `s`.
void add_namespace(store& s, const std::string& ns) {
  REQUIRE(!s.create(*find_resource("", "v1", "namespaces"), "",
                    json_doc(R"({"metadata":{"name":")" + ns + R"("}})"))
               .error);
}

/// The stored spec of Service ns/name.
json spec_of(const store& s, const std::string& ns, const std::string& name) {
  auto r = s.get(services(), ns, name);
  REQUIRE(!r.error);
  return json_doc(r.object->json)["spec"];
}

} // namespace

TEST_CASE("a ClusterIP Service without a clusterIP gets the highest free address of the range",
          "[sim]") {
  auto none = [] {
    return std::set<std::string>{};
  };
  auto svc = json_doc(R"({"spec":{"type":"ClusterIP"}})");
  CHECK(assign_cluster_ip(svc, nullptr, 3, none).empty());
  CHECK(svc["spec"]["clusterIP"] == service_ip(3, 64999));
  CHECK(svc["spec"]["clusterIPs"] == json::array({service_ip(3, 64999)}));
  auto next = json_doc(R"({"spec":{"type":"ClusterIP","clusterIP":""}})");
  CHECK(assign_cluster_ip(next, nullptr, 3, [] {
          return std::set<std::string>{service_ip(3, 64999)};
        }).empty());
  CHECK(next["spec"]["clusterIP"] == service_ip(3, 64998));
}

TEST_CASE("a given clusterIP is kept, and headless and ExternalName Services get none", "[sim]") {
  auto never = []() -> std::set<std::string> {
    FAIL("no address is allocated");
    return {};
  };
  auto svc = json_doc(R"({"spec":{"type":"ClusterIP","clusterIP":"172.16.9.9"}})");
  CHECK(assign_cluster_ip(svc, nullptr, 0, never).empty());
  CHECK(svc["spec"]["clusterIP"] == "172.16.9.9");
  CHECK(svc["spec"]["clusterIPs"] == json::array({"172.16.9.9"}));
  auto headless = json_doc(R"({"spec":{"type":"ClusterIP","clusterIP":"None"}})");
  CHECK(assign_cluster_ip(headless, nullptr, 0, never).empty());
  CHECK(headless["spec"]["clusterIP"] == "None");
  auto external = json_doc(R"({"spec":{"type":"ExternalName","externalName":"db.example"}})");
  CHECK(assign_cluster_ip(external, nullptr, 0, never).empty());
  CHECK(!external["spec"].contains("clusterIP"));
}

TEST_CASE("a replace that leaves the clusterIP out keeps the allocated one", "[sim]") {
  auto old = json_doc(R"({"spec":{"clusterIP":"172.16.3.3","clusterIPs":["172.16.3.3"]}})");
  auto svc = json_doc(R"({"spec":{"type":"ClusterIP"}})");
  CHECK(assign_cluster_ip(svc, &old, 0, [] { return std::set<std::string>{}; }).empty());
  CHECK(svc["spec"]["clusterIP"] == "172.16.3.3");
  CHECK(svc["spec"]["clusterIPs"] == json::array({"172.16.3.3"}));
}

TEST_CASE("the store allocates ClusterIPs from its cluster's range, distinct and kept on update",
          "[sim]") {
  store s;
  s.set_service_range(2);
  add_namespace(s, "demo");
  REQUIRE(!s.create(services(), "demo",
                    json_doc(R"({"metadata":{"name":"a"},"spec":{"ports":[{"port":80}]}})"))
               .error);
  REQUIRE(!s.create(services(), "demo",
                    json_doc(R"({"metadata":{"name":"b"},"spec":{"ports":[{"port":80}]}})"))
               .error);
  auto a = spec_of(s, "demo", "a");
  CHECK(a["clusterIP"] == service_ip(2, 64999));
  CHECK(a["type"] == "ClusterIP");
  CHECK(a["ports"][0]["protocol"] == "TCP");
  CHECK(spec_of(s, "demo", "b")["clusterIP"] == service_ip(2, 64998));
  REQUIRE(!s.update(services(), "demo", "a",
                    json_doc(R"({"metadata":{"name":"a"},"spec":{"ports":[{"port":81}]}})"))
               .error);
  CHECK(spec_of(s, "demo", "a")["clusterIP"] == service_ip(2, 64999));
  CHECK(spec_of(s, "demo", "a")["ports"][0]["port"] == 81);
}
