#include <catch2/catch.hpp>

#include "mesh/context.hpp"

using namespace ambient::mesh;

TEST_CASE("service hostnames follow the cluster domain", "[mesh]") {
  CHECK(service_hostname("web", "demo", "cluster.local") == "web.demo.svc.cluster.local");
  CHECK(service_hostname("a", "b", "example.org") == "a.b.svc.example.org");
}

TEST_CASE("addresses become 4 or 16 bytes and anything else is refused", "[mesh]") {
  auto v4 = ip_bytes("10.1.2.3");
  REQUIRE(v4);
  CHECK(*v4 == std::string{"\x0a\x01\x02\x03", 4});
  auto v6 = ip_bytes("fd00::1");
  REQUIRE(v6);
  CHECK(v6->size() == 16);
  CHECK(ip_text(*v6) == "fd00::1");
  CHECK(ip_text(*v4) == "10.1.2.3");
  for (auto bad : {"", "10.1.2", "10.1.2.256", "web.example.com", "None", " 10.1.2.3"})
    CHECK(!ip_bytes(bad));
  CHECK(ip_text("abc").empty());
}
