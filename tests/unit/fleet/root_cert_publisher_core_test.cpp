#include <catch2/catch.hpp>

#include <set>

#include "fleet/root_cert_publisher_core.hpp"

using namespace ambient::fleet;
using namespace std::chrono_literals;
using ambient::kube::response_end;
using kind = root_cert_outcome::kind;

namespace {

const auto t0 = std::chrono::steady_clock::time_point{} + 1000s;
const std::string roots = "-----BEGIN CERTIFICATE-----\nAAA\n-----END CERTIFICATE-----\n";
const std::string roots_json = R"(-----BEGIN CERTIFICATE-----\nAAA\n-----END CERTIFICATE-----\n)";

std::string item(const std::string& ns) {
  return "/api/v1/namespaces/" + ns + "/configmaps/istio-ca-root-cert";
}

std::string collection(const std::string& ns) {
  return "/api/v1/namespaces/" + ns + "/configmaps";
}

/// A leading core whose views synced with the namespaces `names` (admitted, active).
root_cert_publisher_core leading_core(std::initializer_list<std::string> names,
                                      root_cert_retry retry = {}) {
  root_cert_publisher_core core{roots, retry};
  core.on_leadership(true);
  for (const auto& n : names)
    core.on_namespace(n, false, true);
  core.on_synced();
  return core;
}

/// Answers every call with `status` until none is left; returns the namespaces called for.
std::set<std::string> drain(root_cert_publisher_core& core, int status = 201) {
  std::set<std::string> out;
  while (auto call = core.next(t0)) {
    auto ns = call->path.substr(std::string{"/api/v1/namespaces/"}.size());
    out.insert(ns.substr(0, ns.find('/')));
    core.on_response({status, "{}", {}, false}, t0);
  }
  return out;
}

} // namespace

TEST_CASE("the root cert publisher creates a missing ConfigMap with the roots and the label",
          "[fleet]") {
  auto core = leading_core({"default"});
  auto call = core.next(t0);
  REQUIRE(call);
  CHECK(call->method == "POST");
  CHECK(call->path == collection("default"));
  CHECK(call->body
        == R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"istio-ca-root-cert",)"
           R"("namespace":"default","labels":{"istio.io/config":"true"}},)"
           R"("data":{"root-cert.pem":")"
               + roots_json + R"("}})");
  CHECK_FALSE(core.next(t0)); // one call at a time
  CHECK(core.on_response({201, "{}", {}, false}, t0).what == kind::written);
  CHECK_FALSE(core.next(t0));
}

TEST_CASE("the root cert publisher writes nothing before it leads and its views synced",
          "[fleet]") {
  root_cert_publisher_core core{roots};
  core.on_namespace("default", false, true);
  CHECK_FALSE(core.next(t0));
  core.on_leadership(true);
  core.on_namespace("default", false, true);
  CHECK_FALSE(core.next(t0));
  core.on_synced();
  CHECK(core.next(t0));
}

TEST_CASE("the root cert publisher skips a create answered 409 404 or 403 without retrying",
          "[fleet]") {
  for (int status : {409, 404, 403}) {
    auto core = leading_core({"default"});
    REQUIRE(core.next(t0));
    auto outcome = core.on_response({status, "{}", {}, false}, t0);
    CHECK(outcome.what == (status == 403 ? kind::forbidden : kind::skipped));
    CHECK_FALSE(core.next(t0 + 1h));
    CHECK_FALSE(core.wake_at());
  }
  auto core = leading_core({"old"});
  REQUIRE(core.next(t0));
  auto terminating = core.on_response(
      {403,
       R"({"kind":"Status","status":"Failure","message":"configmaps \"x\" is forbidden: unable to )"
       R"(create new content in namespace old because it is being terminated","reason":"Forbidden",)"
       R"("details":{"causes":[{"reason":"NamespaceTerminating"}]},"code":403})",
       {},
       false},
      t0);
  CHECK(terminating.what == kind::skipped);
}

TEST_CASE("the root cert publisher patches only the root key of a ConfigMap holding other roots",
          "[fleet]") {
  auto core = leading_core({"app"});
  core.on_config_map("app", std::string{"old roots"});
  auto call = core.next(t0);
  REQUIRE(call);
  CHECK(call->method == "PATCH");
  CHECK(call->path == item("app"));
  CHECK(call->body == R"({"data":{"root-cert.pem":")" + roots_json + R"("}})");
  CHECK(core.on_response({200, "{}", {}, false}, t0).what == kind::written);

  core.on_config_map("other", std::nullopt); // the key is missing: written too
  core.on_namespace("other", false, true);
  auto patch = core.next(t0);
  REQUIRE(patch);
  CHECK(patch->method == "PATCH");
}

TEST_CASE("the root cert publisher does nothing when the ConfigMap holds the roots", "[fleet]") {
  auto core = leading_core({});
  core.on_config_map("app", roots);
  core.on_namespace("app", false, true);
  CHECK_FALSE(core.next(t0));
  core.on_config_map("app", roots); // its own write coming back
  CHECK_FALSE(core.next(t0));
}

TEST_CASE("the root cert publisher leaves ignored terminating and unadmitted namespaces alone",
          "[fleet]") {
  auto core = leading_core({"kube-public", "kube-node-lease", "local-path-storage"});
  core.on_namespace("going", true, true);
  core.on_namespace("unselected", false, false);
  CHECK_FALSE(core.next(t0));
  core.on_namespace("kube-system", false, true);
  CHECK(drain(core) == std::set<std::string>{"kube-system"});
  // Admitted later (the selectors changed): written then.
  core.on_admission("unselected", true);
  CHECK(drain(core) == std::set<std::string>{"unselected"});
}

TEST_CASE("the root cert publisher rewrites every namespace when the roots change", "[fleet]") {
  auto core = leading_core({"a", "b", "c"});
  for (const auto& ns : {"a", "b", "c"})
    core.on_config_map(ns, roots);
  CHECK(drain(core).empty());
  core.on_roots("new roots");
  std::set<std::string> patched;
  while (auto call = core.next(t0)) {
    CHECK(call->method == "PATCH");
    CHECK(call->body == R"({"data":{"root-cert.pem":"new roots"}})");
    patched.insert(call->path);
    core.on_response({200, "{}", {}, false}, t0);
  }
  CHECK(patched == std::set<std::string>{item("a"), item("b"), item("c")});
  core.on_roots("new roots"); // unchanged: nothing
  CHECK_FALSE(core.next(t0));
}

TEST_CASE("the root cert publisher puts back a deleted ConfigMap", "[fleet]") {
  auto core = leading_core({"app"});
  core.on_config_map("app", roots);
  CHECK(drain(core).empty());
  core.on_config_map_deleted("app");
  auto call = core.next(t0);
  REQUIRE(call);
  CHECK(call->method == "POST");
  CHECK(call->path == collection("app"));
}

TEST_CASE("the root cert publisher de-duplicates its queue", "[fleet]") {
  auto core = leading_core({"app"});
  core.on_namespace("app", false, true);
  core.on_config_map_deleted("app");
  CHECK(core.pending() == 1);
  CHECK(drain(core) == std::set<std::string>{"app"});
}

TEST_CASE("the root cert publisher drops its queue and call when it stops leading", "[fleet]") {
  auto core = leading_core({"a", "b"});
  REQUIRE(core.next(t0));
  core.on_leadership(false);
  CHECK(core.pending() == 0);
  CHECK(core.on_response({201, "{}", {}, false}, t0).what == kind::stale);
  core.on_namespace("c", false, true);
  CHECK_FALSE(core.next(t0));
  // A new term starts from its informers' fresh lists.
  core.on_leadership(true);
  CHECK_FALSE(core.next(t0));
  core.on_namespace("c", false, true);
  core.on_synced();
  CHECK(drain(core) == std::set<std::string>{"c"});
}

TEST_CASE("the root cert publisher retries other errors with a bounded backoff", "[fleet]") {
  auto core = leading_core({"app"}, root_cert_retry{3, 100ms, 150ms});
  REQUIRE(core.next(t0));
  auto first = core.on_response({500, "{}", {}, false}, t0);
  CHECK(first.what == kind::retrying);
  REQUIRE(core.wake_at());
  CHECK(*core.wake_at() == t0 + 100ms);
  core.on_namespace("app", false, true); // an event does not cut the backoff short
  CHECK_FALSE(core.next(t0 + 50ms));
  REQUIRE(core.next(t0 + 100ms));
  CHECK(core.on_response({0, {}, "connection refused", false}, t0 + 100ms).what == kind::retrying);
  CHECK(*core.wake_at() == t0 + 250ms); // doubled, capped at 150ms
  REQUIRE(core.next(t0 + 250ms));
  auto last = core.on_response({500, "{}", {}, false}, t0 + 250ms);
  CHECK(last.what == kind::gave_up);
  CHECK_FALSE(core.wake_at());
  CHECK_FALSE(core.next(t0 + 1h));
  // The next change tries again.
  core.on_config_map_deleted("app");
  CHECK(core.next(t0 + 1h));
}

TEST_CASE("the root cert publisher forgets a deleted namespace", "[fleet]") {
  auto core = leading_core({"app"});
  core.on_namespace_deleted("app");
  CHECK_FALSE(core.next(t0));
  core.on_config_map_deleted("app");
  CHECK_FALSE(core.next(t0));
}
