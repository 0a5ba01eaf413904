#include <catch2/catch.hpp>

#include "sim/workload.hpp"

using namespace ambient::sim;

TEST_CASE("seeding fills a store with the requested shape", "[sim]") {
  store s;
  auto seeded = seed_workloads(s, 2, {3, 4, 6, 30, true});
  CHECK(s.object_count(*find_resource("", "v1", "pods")) == 30);
  CHECK(s.object_count(*find_resource("", "v1", "services")) == 6);
  CHECK(s.object_count(*find_resource("", "v1", "nodes")) == 4);
  CHECK(s.object_count(*find_resource("", "v1", "namespaces"))
        == 3); // no built-ins in a bare store
  CHECK(seeded.services.size() == 6);
  auto pod = s.get(*find_resource("", "v1", "pods"), "app-1", "svc-1-5d8f7c9b4-0");
  REQUIRE(pod.object);
  CHECK(pod.object->labels.at("app") == "svc-1");
  CHECK(pod.object->json.find("\"podIP\":\"10.8.0.1\"") != std::string::npos);
  // Pods of ambient namespaces carry istio-cni's redirection annotation; others do not.
  CHECK(pod.object->json.find("\"ambient.istio.io/redirection\":\"enabled\"") != std::string::npos);
  store plain;
  seed_workloads(plain, 2, {1, 1, 1, 1, false});
  auto pods = plain.list(*find_resource("", "v1", "pods"), {}, 0, {}).items;
  REQUIRE(pods.size() == 1);
  CHECK(pods[0]->json.find("ambient.istio.io/redirection") == std::string::npos);
}

TEST_CASE("churn steps change the store and keep it consistent", "[sim]") {
  store s;
  auto seeded = seed_workloads(s, 0, {2, 2, 4, 20, true});
  churn_driver churn{s, seeded, 42};
  auto rv = s.resource_version();
  std::map<churn_kind, int> kinds;
  for (int i = 0; i < 200; ++i)
    ++kinds[churn.step()];
  CHECK(churn.applied() >= 190);
  CHECK(s.resource_version() > rv + 150);
  CHECK(kinds[churn_kind::create_pod] > 0);
  CHECK(kinds[churn_kind::delete_pod] > 0);
  CHECK(kinds[churn_kind::flip_readiness] > 0);
  CHECK(kinds[churn_kind::relabel_pod] > 0);
  auto pods = s.list(*find_resource("", "v1", "pods"), {}, 0, {});
  CHECK(pods.items.size()
        == static_cast<size_t>(20 + kinds[churn_kind::create_pod] - kinds[churn_kind::delete_pod]));
}

TEST_CASE("a churn driver started again from the same seed still creates pods", "[sim]") {
  store s;
  auto seeded = seed_workloads(s, 0, {1, 1, 2, 0, true});
  const auto& pods = *find_resource("", "v1", "pods");
  {
    churn_driver first{s, seeded, 7};
    REQUIRE(first.step() == churn_kind::create_pod); // an empty cluster can only grow
  }
  REQUIRE(s.object_count(pods) == 1);
  // The second driver starts from the seed's first pod name, which the first driver took.
  churn_driver second{s, seeded, 7};
  int creates = 0;
  for (int i = 0; i < 200 && creates < 5; ++i) {
    auto before = s.object_count(pods);
    auto kind = second.step();
    if (kind == churn_kind::create_pod) {
      ++creates;
      CHECK(s.object_count(pods) == before + 1);
    }
  }
  CHECK(creates == 5);
}
