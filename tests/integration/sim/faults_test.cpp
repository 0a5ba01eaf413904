#include <catch2/catch.hpp>

#include <atomic>
#include <set>
#include <thread>

#include "sim/json.hpp"
#include "sim/resources.hpp"
#include "support/sim_fixture.hpp"

using ambient::test::sim_fixture;
using namespace std::chrono_literals;

namespace {

std::string make_pod(const std::string& name) {
  return R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":")" + name
         + R"(","labels":{"app":"w"}},"spec":{"containers":[{"name":"c","image":"nginx"}]}})";
}

std::string event_type(const std::string& line) {
  auto v = ambient::sim::parse_json(line, nullptr);
  if (!v || !ambient::sim::find_path(*v, {"type"})
      || !ambient::sim::find_path(*v, {"type"})->is_string())
    return "UNPARSABLE";
  return ambient::sim::find_path(*v, {"type"})->get<std::string>();
}

std::string list_rv(ambient::test::https_client& cl, const std::string& url) {
  auto r = cl.request("GET", url);
  REQUIRE(r.status == 200);
  auto v = ambient::sim::parse_json(r.body, nullptr);
  REQUIRE(v);
  return ambient::sim::find_path(*v, {"metadata", "resourceVersion"})->get<std::string>();
}

/// Every line of a watch until the server ends it.
std::vector<std::string> watch_all(ambient::test::https_client& cl, const std::string& url) {
  std::vector<std::string> lines;
  cl.watch(url, 10s, [&](const std::string& l) {
    lines.push_back(l);
    return true;
  });
  return lines;
}

/// Creates pods from another thread shortly after a watch starts.
struct background_writer {
  std::thread t;
  background_writer(ambient::test::https_client cl, std::string url, std::vector<std::string> names,
                    std::chrono::milliseconds delay) {
    t = std::thread([=] {
      std::this_thread::sleep_for(delay);
      for (const auto& n : names)
        cl.request("POST", url, make_pod(n));
    });
  }
  ~background_writer() {
    t.join();
  }
};

} // namespace

TEST_CASE("a watch from a list's version sees later changes and bookmarks until its timeout",
          "[sim][integration]") {
  sim_fixture fx;
  auto cl = fx.client();
  auto rv = list_rv(cl, fx.url("/api/v1/namespaces/default/pods"));
  background_writer w{cl, fx.url("/api/v1/namespaces/default/pods"), {"a", "b"}, 100ms};
  std::vector<std::string> types;
  auto status = cl.watch(fx.url("/api/v1/namespaces/default/pods?watch=true&resourceVersion=" + rv
                                + "&allowWatchBookmarks=true&timeoutSeconds=2"),
                         10s, [&](const std::string& line) {
                           types.push_back(event_type(line));
                           return true;
                         });
  CHECK(status == 200);
  // The stream ended by itself (timeoutSeconds) and held both ADDEDs and at least one BOOKMARK.
  CHECK(std::count(types.begin(), types.end(), "ADDED") == 2);
  CHECK(std::count(types.begin(), types.end(), "BOOKMARK") >= 1);
  CHECK(std::count(types.begin(), types.end(), "UNPARSABLE") == 0);
}

TEST_CASE("a client that resumes from each bookmark under heavy writes misses no event",
          "[sim][integration]") {
  // A bookmark promises that every event up to its version was sent. Here a client closes each
  // watch at its first bookmark and resumes from the bookmark's version while a writer creates
  // ConfigMaps as fast as it can: every one must arrive. (kube-sim once stamped bookmarks with
  // the store's version at the time of writing, which could be newer than an event still queued
  // for the watch; a client resuming there lost that event for good.)
  sim_fixture fx{1, false, 10ms};
  auto cl = fx.client();
  const auto& configmaps = *ambient::sim::find_resource("", "v1", "configmaps");
  auto rv = list_rv(cl, fx.url("/api/v1/namespaces/default/configmaps"));
  std::atomic<bool> writing{true};
  std::atomic<int> created{0};
  std::thread writer{[&] {
    auto until = std::chrono::steady_clock::now() + 3s;
    // Fewer than the store's 100,000 events of history, so no resume can get 410 Expired.
    for (int i = 0; i < 50'000 && std::chrono::steady_clock::now() < until; ++i) {
      auto json = R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cm-)"
                  + std::to_string(i) + R"("},"data":{"k":"v"}})";
      if (!fx.cluster()
               .data()
               .create(configmaps, "default", *ambient::sim::parse_json(json, nullptr))
               .error)
        ++created;
    }
    writing = false;
  }};
  std::set<std::string> seen;
  int sessions = 0;
  uint64_t final_rv = 0;
  for (int guard = 0; guard < 100000; ++guard) {
    if (!writing && final_rv == 0)
      final_rv = fx.cluster().data().resource_version();
    if (final_rv != 0 && std::stoull(rv) >= final_rv)
      break;
    ++sessions;
    cl.watch(
        fx.url("/api/v1/namespaces/default/configmaps?watch=true&allowWatchBookmarks=true"
               "&timeoutSeconds=5&resourceVersion="
               + rv),
        10s, [&](const std::string& line) {
          auto v = ambient::sim::parse_json(line, nullptr);
          REQUIRE(v);
          auto type = ambient::sim::find_path(*v, {"type"})->get<std::string>();
          REQUIRE(type != "ERROR");
          if (type == "ADDED")
            seen.insert(
                ambient::sim::find_path(*v, {"object", "metadata", "name"})->get<std::string>());
          if (type != "BOOKMARK")
            return true;
          rv = ambient::sim::find_path(*v, {"object", "metadata", "resourceVersion"})
                   ->get<std::string>();
          return false; // resume from here
        });
  }
  writer.join();
  INFO("sessions " << sessions);
  CHECK(created.load() > 100);
  CHECK(seen.size() == static_cast<size_t>(created.load()));
}

TEST_CASE("a watch from version 0 starts with synthetic ADDEDs of the current state",
          "[sim][integration]") {
  sim_fixture fx;
  auto cl = fx.client();
  int added = 0;
  cl.watch(fx.url("/api/v1/namespaces?watch=true&resourceVersion=0&timeoutSeconds=1"), 10s,
           [&](const std::string& line) {
             added += event_type(line) == "ADDED";
             return true;
           });
  CHECK(added == 5); // default, kube-system, kube-public, kube-node-lease, istio-system
}

TEST_CASE("a watch from a compacted version gets 410 Expired as an ERROR event",
          "[sim][integration]") {
  sim_fixture fx;
  auto cl = fx.client();
  auto rv = list_rv(cl, fx.url("/api/v1/namespaces/default/pods"));
  cl.request("POST", fx.url("/api/v1/namespaces/default/pods"), make_pod("x"));
  fx.cluster().compact();
  auto lines
      = watch_all(cl, fx.url("/api/v1/namespaces/default/pods?watch=true&resourceVersion=" + rv));
  REQUIRE(lines.size() == 1);
  CHECK(event_type(lines[0]) == "ERROR");
  CHECK(lines[0].find("\"code\":410") != std::string::npos);
  CHECK(lines[0].find("\"reason\":\"Expired\"") != std::string::npos);
}

TEST_CASE("fault: a cluster taken down refuses connections and comes back on the same port",
          "[sim][integration]") {
  sim_fixture fx;
  auto cl = fx.client();
  auto port = fx.cluster().port();
  fx.cluster().down();
  auto r = cl.request("GET", fx.url("/api/v1/namespaces"));
  CHECK(r.status == 0);
  CHECK(!r.error.empty());
  fx.cluster().up();
  CHECK(fx.cluster().port() == port);
  CHECK(cl.request("GET", fx.url("/api/v1/namespaces")).status == 200);
}

TEST_CASE("fault: the next N requests fail with 500 or 429", "[sim][integration]") {
  sim_fixture fx;
  auto cl = fx.client();
  fx.cluster().faults().fail_code = 429;
  fx.cluster().faults().fail_next = 2;
  auto first = cl.request("GET", fx.url("/api/v1/namespaces"));
  CHECK(first.status == 429);
  CHECK(first.retry_after == "1");
  CHECK(cl.request("GET", fx.url("/api/v1/namespaces")).status == 429);
  CHECK(cl.request("GET", fx.url("/api/v1/namespaces")).status == 200);
  fx.cluster().faults().fail_code = 500;
  fx.cluster().faults().fail_next = 1;
  auto err = cl.request("GET", fx.url("/api/v1/namespaces"));
  CHECK(err.status == 500);
  CHECK(err.body.find("\"reason\":\"InternalError\"") != std::string::npos);
}

TEST_CASE("fault: every LIST of one resource is refused or held until cleared; the rest is served",
          "[sim][integration]") {
  sim_fixture fx;
  auto cl = fx.client();
  auto& f = fx.cluster().faults();
  f.refuse_lists("services", 403);
  auto forbidden = cl.request("GET", fx.url("/api/v1/services?limit=500"));
  CHECK(forbidden.status == 403);
  CHECK(forbidden.body.find("\"reason\":\"Forbidden\"") != std::string::npos);
  CHECK(cl.request("GET", fx.url("/api/v1/namespaces/default/services")).status == 403);
  // Other resources are served.
  CHECK(cl.request("GET", fx.url("/api/v1/pods")).status == 200);
  f.refuse_lists("services", 500);
  CHECK(cl.request("GET", fx.url("/api/v1/services")).status == 500);
  // Held: the LIST is answered only once the fault is cleared, with the list itself.
  f.refuse_lists("services", 0);
  std::atomic<int> held_status{-1};
  std::thread lister([&] {
    auto c2 = fx.client();
    held_status = c2.request("GET", fx.url("/api/v1/services")).status;
  });
  // Once the server holds it, it stays unanswered while the fault stands.
  for (int i = 0; i < 500 && f.held_lists.load() == 0; ++i)
    std::this_thread::sleep_for(10ms);
  REQUIRE(f.held_lists.load() > 0);
  CHECK(held_status == -1);
  f.refuse_lists("", 0);
  lister.join();
  CHECK(held_status == 200);
  CHECK(cl.request("GET", fx.url("/api/v1/services")).status == 200);
}

TEST_CASE("fault: stalled watches send no bytes until the stall ends", "[sim][integration]") {
  sim_fixture fx;
  auto cl = fx.client();
  auto rv = list_rv(cl, fx.url("/api/v1/namespaces/default/pods"));
  fx.cluster().faults().stall_watches = true;
  std::vector<std::string> lines;
  std::atomic<bool> done{false};
  std::thread watcher([&] {
    cl.watch(fx.url("/api/v1/namespaces/default/pods?watch=true&resourceVersion=" + rv), 10s,
             [&](const std::string& l) {
               lines.push_back(l);
               return lines.size() < 1;
             });
    done = true;
  });
  // Wait until the watch is registered, then change something it selects.
  for (int i = 0; i < 2000 && fx.cluster().server().open_watches() == 0; ++i)
    std::this_thread::sleep_for(10ms);
  REQUIRE(fx.cluster().server().open_watches() == 1);
  cl.request("POST", fx.url("/api/v1/namespaces/default/pods"), make_pod("s"));
  // The event is queued and the stall held it back at least twice (its own flush and a later
  // tick): only then does "nothing arrived" mean the stall worked.
  auto& held = fx.cluster().faults().stalled_flushes;
  for (int i = 0; i < 1000 && held.load() < 2; ++i)
    std::this_thread::sleep_for(10ms);
  REQUIRE(held.load() >= 2);
  CHECK(!done.load());
  fx.cluster().faults().stall_watches = false;
  watcher.join();
  REQUIRE(lines.size() == 1);
  CHECK(event_type(lines[0]) == "ADDED");
}

TEST_CASE(
    "fault: cut watches end the stream and injected expiries and malformed events reach the client",
    "[sim][integration]") {
  sim_fixture fx;
  auto cl = fx.client();
  auto rv = list_rv(cl, fx.url("/api/v1/namespaces/default/pods"));
  SECTION("cut") {
    std::atomic<bool> done{false};
    std::thread watcher([&] {
      cl.watch(fx.url("/api/v1/namespaces/default/pods?watch=true&resourceVersion=" + rv), 20s,
               [](const std::string&) { return true; });
      done = true;
    });
    for (int i = 0; i < 2000 && fx.cluster().server().open_watches() == 0; ++i)
      std::this_thread::sleep_for(10ms);
    REQUIRE(fx.cluster().server().open_watches() == 1);
    fx.cluster().cut_watches();
    watcher.join();
    CHECK(done.load());
  }
  SECTION("expire the next watch") {
    fx.cluster().faults().expire_next_watches = 1;
    auto lines
        = watch_all(cl, fx.url("/api/v1/namespaces/default/pods?watch=true&resourceVersion=" + rv));
    REQUIRE(lines.size() == 1);
    CHECK(lines[0].find("\"code\":410") != std::string::npos);
  }
  SECTION("malformed event") {
    fx.cluster().faults().malformed_next_events = 1;
    background_writer w{cl, fx.url("/api/v1/namespaces/default/pods"), {"m1", "m2"}, 100ms};
    std::vector<std::string> types;
    cl.watch(fx.url("/api/v1/namespaces/default/pods?watch=true&resourceVersion=" + rv), 10s,
             [&](const std::string& l) {
               types.push_back(event_type(l));
               return types.size() < 2;
             });
    REQUIRE(types.size() == 2);
    CHECK(types[0] == "UNPARSABLE");
    CHECK(types[1] == "ADDED");
  }
}

TEST_CASE("fault: injected latency delays every response by at least its amount",
          "[sim][integration]") {
  sim_fixture fx;
  auto cl = fx.client();
  fx.cluster().faults().latency_ms = 300;
  auto start = std::chrono::steady_clock::now();
  CHECK(cl.request("GET", fx.url("/api/v1/namespaces")).status == 200);
  CHECK(std::chrono::steady_clock::now() - start >= 300ms);
}
