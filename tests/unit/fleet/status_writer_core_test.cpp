#include <catch2/catch.hpp>

#include "fleet/status_writer_core.hpp"

using namespace ambient::fleet;
using namespace std::chrono_literals;
using ambient::kube::response_end;

namespace {

const auto wall = std::chrono::system_clock::time_point{} + 1'800'000'000s;
const std::string item = "/api/v1/namespaces/istio-system/configmaps/ambientd-cluster-status";
const std::string collection = "/api/v1/namespaces/istio-system/configmaps";

std::string config_map_with_version(const std::string& rv) {
  return R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"ambientd-cluster-status",)"
         R"("namespace":"istio-system","resourceVersion":")"
         + rv + R"("}})";
}

status_writer_core leading_core() {
  status_writer_core core{"istio-system", "ambientd-cluster-status"};
  core.on_leadership(true, "pod-a");
  return core;
}

} // namespace

TEST_CASE("the status writer writes nothing unless it leads", "[fleet]") {
  status_writer_core core{"istio-system", "ambientd-cluster-status"};
  CHECK_FALSE(core.on_status("[]", "", wall));
  core.on_leadership(true, "pod-a");
  CHECK(core.on_status("[]", "", wall));
}

TEST_CASE("the status writer reads the ConfigMap's version, then updates it at that version",
          "[fleet]") {
  auto core = leading_core();
  auto read = core.on_status(R"([{"id":"c1"}])", "c1: synced (synced)\n", wall);
  REQUIRE(read);
  CHECK(read->method == "GET");
  CHECK(read->path == item);
  CHECK(read->body.empty());
  // One request at a time.
  CHECK_FALSE(core.on_status(R"([{"id":"c1"}])", "", wall));
  CHECK(core.on_response({200, config_map_with_version("7"), {}, false}).what
        == status_outcome::kind::read);

  auto put = core.on_status(R"([{"id":"c1"}])", "c1: synced (synced)\n", wall);
  REQUIRE(put);
  CHECK(put->method == "PUT");
  CHECK(put->path == item);
  CHECK(
      put->body
      == R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"ambientd-cluster-status",)"
         R"("namespace":"istio-system","resourceVersion":"7","annotations":{)"
         R"("ambientd.io/writer":"pod-a","ambientd.io/written-at":"2027-01-15T08:00:00.000000Z"}},)"
         R"("data":{"clusters.json":"[{\"id\":\"c1\"}]","summary":"c1: synced (synced)\n"}})");
  CHECK(core.on_response({200, config_map_with_version("8"), {}, false}).what
        == status_outcome::kind::written);
  CHECK(core.written() == R"([{"id":"c1"}])");

  // The same status again: nothing to write. A changed one: written at the new version.
  CHECK_FALSE(core.on_status(R"([{"id":"c1"}])", "", wall));
  auto next = core.on_status(R"([{"id":"c2"}])", "", wall);
  REQUIRE(next);
  CHECK(next->body.find(R"("resourceVersion":"8")") != std::string::npos);
}

TEST_CASE("the status writer creates a missing ConfigMap without a version", "[fleet]") {
  auto core = leading_core();
  REQUIRE(core.on_status("[]", "", wall));
  CHECK(core.on_response({404, "{}", {}, false}).what == status_outcome::kind::read);
  auto post = core.on_status("[]", "", wall);
  REQUIRE(post);
  CHECK(post->method == "POST");
  CHECK(post->path == collection);
  CHECK(post->body.find("resourceVersion") == std::string::npos);
  CHECK(core.on_response({201, config_map_with_version("1"), {}, false}).what
        == status_outcome::kind::written);
  auto put = core.on_status("[1]", "", wall);
  REQUIRE(put);
  CHECK(put->method == "PUT");
}

TEST_CASE("after a conflict or a failed read the status writer reads again before writing",
          "[fleet]") {
  auto core = leading_core();
  REQUIRE(core.on_status("[]", "", wall));
  core.on_response({200, config_map_with_version("7"), {}, false});
  REQUIRE(core.on_status("[]", "", wall));
  auto conflict = core.on_response({409, R"({"kind":"Status"})", {}, false});
  CHECK(conflict.what == status_outcome::kind::failed);
  CHECK(conflict.message
        == "writing configmap istio-system/ambientd-cluster-status failed: HTTP 409");
  auto reread = core.on_status("[]", "", wall);
  REQUIRE(reread);
  CHECK(reread->method == "GET");
  auto failed = core.on_response({0, {}, "connection refused", false});
  CHECK(failed.what == status_outcome::kind::failed);
  CHECK(failed.message
        == "reading configmap istio-system/ambientd-cluster-status failed: HTTP 0 connection "
           "refused");
  // A read that fails, or answers something without metadata, is tried again.
  auto again = core.on_status("[]", "", wall);
  REQUIRE(again);
  CHECK(again->method == "GET");
  CHECK(core.on_response({200, "not json", {}, false}).what == status_outcome::kind::failed);
  CHECK(core.on_status("[]", "", wall)->method == "GET");
}

TEST_CASE("losing leadership abandons the write and forgets the ConfigMap's version", "[fleet]") {
  auto core = leading_core();
  REQUIRE(core.on_status("[]", "", wall));
  core.on_response({200, config_map_with_version("7"), {}, false});
  REQUIRE(core.on_status("[]", "", wall)); // a PUT in flight
  core.on_leadership(false, "pod-a");
  CHECK_FALSE(core.on_status("[]", "", wall));
  core.on_leadership(true, "pod-a");
  auto read = core.on_status("[]", "", wall); // nothing in flight any more; read first
  REQUIRE(read);
  CHECK(read->method == "GET");
}
