#include <catch2/catch.hpp>

#include <string>

#include "kube/informer_core.hpp"

using namespace ambient::kube;
using namespace std::chrono_literals;

namespace {

using tp = informer_core::time_point;
const tp t0{};

std::string pod_json(const std::string& name, const std::string& rv,
                     const std::string& extra = {}) {
  return R"({"metadata":{"name":")" + name + R"(","namespace":"ns","resourceVersion":")" + rv
         + R"("})" + extra + "}";
}

std::string list_body(const std::string& rv, const std::string& items) {
  return R"({"metadata":{"resourceVersion":")" + rv + R"("},"items":[)" + items + "]}";
}

std::string event(const std::string& type, const std::string& object) {
  return R"({"type":")" + type + R"(","object":)" + object + "}\n";
}

informer_core make_core(std::string selector = {}) {
  informer_settings s;
  s.kind = resource_kind::pods;
  s.label_selector = std::move(selector);
  return informer_core{s, {}, {}, 7};
}

/// Runs start() and a first list of `items` at version "10"; returns the list's effects.
informer_effects listed(informer_core& core, const std::string& items) {
  auto first = core.start(t0);
  REQUIRE(first.request);
  return core.on_list({200, list_body("10", items), {}, false}, t0);
}

} // namespace

TEST_CASE("the informer core lists, then watches from the list's version", "[kube]") {
  auto core = make_core("app in (a,b)");
  auto first = core.start(t0);
  REQUIRE(first.request);
  CHECK_FALSE(first.request->watch);
  CHECK(first.request->path
        == "/api/v1/pods?resourceVersion=0&labelSelector=app%20in%20%28a%2Cb%29");
  auto fx = core.on_list(
      {200, list_body("10", pod_json("a", "1") + "," + pod_json("b", "2")), {}, false}, t0);
  REQUIRE(fx.changes.size() == 2);
  CHECK(fx.changes[0].type == change::added);
  CHECK(fx.changes[0].key == "ns/a");
  REQUIRE(fx.changes[0].object);
  CHECK(std::get<pod>(*fx.changes[0].object).meta.name == "a");
  CHECK(fx.health_changed);
  CHECK(core.synced());
  CHECK(core.healthy());
  REQUIRE(fx.request);
  CHECK(fx.request->watch);
  CHECK(fx.request->path.starts_with("/api/v1/pods?watch=true&resourceVersion=10&"));
  CHECK(core.resource_version() == "10");
}

TEST_CASE("the informer core sends its field selector on every list and watch", "[kube]") {
  informer_settings s;
  s.kind = resource_kind::config_maps;
  s.field_selector = "metadata.name=istio-ca-root-cert";
  informer_core core{s, {}, {}, 7};
  auto first = core.start(t0);
  REQUIRE(first.request);
  CHECK(first.request->path
        == "/api/v1/configmaps?resourceVersion=0&fieldSelector=metadata.name%3Distio-ca-root-cert");
  auto fx = core.on_list({200, list_body("10", ""), {}, false}, t0);
  REQUIRE(fx.request);
  CHECK(fx.request->watch);
  CHECK(fx.request->path.starts_with("/api/v1/configmaps?watch=true&resourceVersion=10&"));
  CHECK(fx.request->path.ends_with("&fieldSelector=metadata.name%3Distio-ca-root-cert"));

  s.label_selector = "a=b";
  informer_core both{s, {}, {}, 7};
  auto both_first = both.start(t0);
  REQUIRE(both_first.request);
  CHECK(both_first.request->path.ends_with(
      "?resourceVersion=0&labelSelector=a%3Db&fieldSelector=metadata.name%3Distio-ca-root-cert"));
}

TEST_CASE("the informer core hands on watch events split across chunks, in order", "[kube]") {
  auto core = make_core();
  listed(core, pod_json("a", "1"));
  auto events = event("MODIFIED", pod_json("a", "11")) + event("ADDED", pod_json("c", "12"))
                + event("DELETED", pod_json("a", "13")) + event("BOOKMARK", pod_json("", "14"));
  const std::string_view bytes = events;
  auto cut = bytes.size() / 2;
  auto fx1 = core.on_watch_bytes(bytes.substr(0, cut), t0);
  auto fx2 = core.on_watch_bytes(bytes.substr(cut), t0);
  std::vector<change> all = std::move(fx1.changes);
  for (auto& c : fx2.changes)
    all.push_back(std::move(c));
  REQUIRE(all.size() == 3);
  CHECK(all[0].type == change::modified);
  CHECK(all[1].type == change::added);
  CHECK(all[1].key == "ns/c");
  CHECK(all[2].type == change::deleted);
  CHECK_FALSE(all[2].object);
  CHECK(core.resource_version() == "14");
  CHECK(core.stats().bookmarks == 1);
  CHECK(core.stats().events_modified == 1);
}

TEST_CASE("an object that does not decode is counted, logged and forgotten", "[kube]") {
  auto core = make_core();
  listed(core, pod_json("a", "1"));
  auto fx = core.on_watch_bytes(
      event("MODIFIED", pod_json("a", "11", R"(,"spec":{"hostNetwork":"yes"})")), t0);
  // The handlers had it: they are told it is gone.
  REQUIRE(fx.changes.size() == 1);
  CHECK(fx.changes[0].type == change::deleted);
  CHECK(fx.changes[0].key == "ns/a");
  CHECK(core.stats().decode_errors == 1);
  REQUIRE(fx.warnings.size() == 1);
  CHECK(fx.warnings[0].find("spec.hostNetwork: expected boolean") != std::string::npos);
  CHECK_FALSE(fx.cancel); // the watch goes on
  // Forgotten: a later valid version is an add, and a bad new object produces nothing.
  auto again = core.on_watch_bytes(event("MODIFIED", pod_json("a", "12")), t0);
  REQUIRE(again.changes.size() == 1);
  CHECK(again.changes[0].type == change::added);
  CHECK(core.on_watch_bytes(event("ADDED", pod_json("z", "13", R"(,"spec":{"nodeName":1})")), t0)
            .changes.empty());
  // In a relist the same: the undecodable item is left out, and what the handlers had is deleted.
  core.on_watch_bytes(event("ERROR", R"({"kind":"Status","code":410})"), t0);
  REQUIRE(core.on_timer(t0 + 60s).request);
  auto relist = core.on_list(
      {200, list_body("20", pod_json("a", "14", R"(,"status":{"podIP":[]})")), {}, false}, t0);
  REQUIRE(relist.changes.size() == 1);
  CHECK(relist.changes[0].type == change::deleted);
  CHECK(core.stats().decode_errors == 3);
}

TEST_CASE("the informer core maps HTTP failures to the reflector's and reports health", "[kube]") {
  auto core = make_core();
  core.start(t0);
  auto denied
      = core.on_list({403, R"({"kind":"Status","code":403,"message":"no"})", {}, false}, t0);
  CHECK(denied.cancel);
  CHECK(denied.health_changed);
  CHECK_FALSE(core.healthy());
  CHECK(core.last_error() == "unauthorized: list: HTTP 403: no");
  // A failed request is a failure line (the shell logs it at debug level), not a warning.
  CHECK(denied.failures == std::vector<std::string>{"pods unauthorized: list: HTTP 403: no"});
  CHECK(denied.warnings.empty());
  REQUIRE(denied.wait);
  CHECK_FALSE(denied.request);
  CHECK(core.stats().errors == 1);
  // The same failure again changes nothing to report.
  auto retry = core.on_timer(t0 + 10s);
  REQUIRE(retry.request);
  CHECK_FALSE(
      core.on_list({403, R"({"kind":"Status","code":403,"message":"no"})", {}, false}, t0 + 10s)
          .health_changed);
  // Not served (404): synced and empty, listed again later.
  auto later = core.on_timer(t0 + 60s);
  REQUIRE(later.request);
  auto not_served = core.on_list({404, "404 page not found", {}, false}, t0 + 60s);
  CHECK(core.synced());
  CHECK(core.healthy());
  CHECK(not_served.notes.size() == 1);
  CHECK(not_served.wait);
}

TEST_CASE("a watch ERROR event of 410 or a too large version makes the core relist", "[kube]") {
  auto core = make_core();
  listed(core, pod_json("a", "1"));
  auto fx = core.on_watch_bytes(
      event("ERROR", R"({"kind":"Status","code":410,"reason":"Expired","message":"old"})"), t0);
  CHECK(fx.cancel);
  REQUIRE(fx.wait);
  CHECK(core.last_error().starts_with("expired: watch ERROR event 410 Expired"));
  auto relist = core.on_timer(t0 + 5s);
  REQUIRE(relist.request);
  CHECK_FALSE(relist.request->watch);
  // After an expiry the relist is from "" (paged).
  CHECK(relist.request->path.starts_with("/api/v1/pods?resourceVersion=&limit="));
}

TEST_CASE("a stream that ends inside an event, or a silent watch, fails the watch", "[kube]") {
  auto core = make_core();
  listed(core, pod_json("a", "1"));
  core.on_watch_bytes(R"({"type":"ADDED","object":)", t0);
  auto cut = core.on_watch_end({200, {}, {}, false}, t0);
  CHECK(cut.cancel);
  CHECK(core.last_error().starts_with("malformed: watch stream ended inside an event"));
  auto silent = make_core();
  listed(silent, pod_json("a", "1"));
  CHECK_FALSE(silent.on_tick(t0 + 10s).cancel);
  auto dead = silent.on_tick(t0 + 200s);
  CHECK(dead.cancel);
  CHECK(silent.last_error().starts_with("watch_silent"));
}

TEST_CASE("an ended request is taken as the LIST or the WATCH the core asked for last", "[kube]") {
  auto core = make_core();
  REQUIRE_FALSE(core.start(t0).request->watch);
  // A LIST's end: the list is read and a WATCH asked for.
  auto listed_fx = core.on_end({200, list_body("10", pod_json("a", "1")), {}, false}, t0);
  REQUIRE(listed_fx.changes.size() == 1);
  REQUIRE(listed_fx.request);
  REQUIRE(listed_fx.request->watch);
  // A WATCH's end, normal: the watch is reopened from where it was, not relisted.
  auto rewatch = core.on_end({200, {}, {}, false}, t0);
  CHECK(rewatch.changes.empty());
  REQUIRE(rewatch.request);
  CHECK(rewatch.request->watch);
  CHECK(core.stats().watch_restarts == 1);
  CHECK(core.stats().relists == 0);
  // The same body taken as a LIST's end would have been a malformed list.
  auto other = make_core();
  other.start(t0);
  other.on_end({200, {}, {}, false}, t0);
  CHECK(other.last_error().starts_with("malformed: list"));
}

TEST_CASE("query values are percent-encoded", "[kube]") {
  CHECK(with_query("/p", {{"a", "x y/z"}, {"b", "~-._"}}) == "/p?a=x%20y%2Fz&b=~-._");
  CHECK(with_query("/p?a=1", {{"b", "2"}}) == "/p?a=1&b=2");
}
