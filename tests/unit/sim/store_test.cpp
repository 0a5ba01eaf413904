#include <catch2/catch.hpp>

#include "sim/store.hpp"

using namespace ambient::sim;

namespace {

/// A sink that lets go of its last external owner while the store delivers an event to it, so its
/// destructor runs inside the store's delivery loop (as a closing watch connection can).
struct self_releasing_sink : watch_sink {
  std::shared_ptr<watch_sink>* owner = nullptr;
  bool* destroyed = nullptr;
  int events = 0;
  void on_event(const watch_event&) override {
    ++events;
    owner->reset();
  }
  ~self_releasing_sink() override {
    *destroyed = true;
  }
};

json named(const std::string& name) {
  return *parse_json(R"({"metadata":{"name":")" + name + R"("}})", nullptr);
}

} // namespace

TEST_CASE("a watch whose sink dies during delivery is dropped without touching the store again",
          "[sim]") {
  store s;
  const auto& ns = *find_resource("", "v1", "namespaces");
  bool destroyed = false;
  auto sink = std::make_shared<self_releasing_sink>();
  std::shared_ptr<watch_sink> owner = sink;
  sink->owner = &owner;
  sink->destroyed = &destroyed;
  auto* raw = sink.get();
  sink.reset();
  REQUIRE(!s.watch(ns, {}, "", owner).error);
  CHECK(s.watch_count() == 1);
  CHECK(raw->events == 0);
  REQUIRE(!s.create(ns, "", named("a")).error); // delivery drops the last owner
  CHECK(destroyed);
  CHECK(s.watch_count() == 0);
  REQUIRE(!s.create(ns, "", named("b")).error); // later events skip the dead watch
  CHECK(s.object_count(ns) == 2);
}

TEST_CASE("watches from a version replay history and a compacted version is Expired", "[sim]") {
  store s;
  const auto& ns = *find_resource("", "v1", "namespaces");
  s.create(ns, "", named("a"));
  auto rv = std::to_string(s.resource_version());
  s.create(ns, "", named("b"));
  s.remove(ns, "", "a");
  struct collect : watch_sink {
    void on_event(const watch_event&) override {}
  };
  auto sink = std::make_shared<collect>();
  auto w = s.watch(ns, {}, rv, sink);
  REQUIRE(!w.error);
  REQUIRE(w.backlog.size() == 2);
  CHECK(w.backlog[0].type == event_type::added);
  CHECK(w.backlog[1].type == event_type::deleted);
  s.compact();
  auto expired = s.watch(ns, {}, rv, sink);
  REQUIRE(expired.error);
  CHECK(expired.error->code == 410);
}

TEST_CASE("a Secret's stringData is stored base64-encoded in data, as the API server does",
          "[sim]") {
  store s;
  REQUIRE(!s.create(*find_resource("", "v1", "namespaces"), "", named("istio-system")).error);
  const auto& secrets = *find_resource("", "v1", "secrets");
  auto in = *parse_json(R"({"metadata":{"name":"remote"},"data":{"keep":"a2VlcA==","both":"b2xk"},)"
                        R"("stringData":{"both":"new","cluster-2":"apiVersion: v1\n"}})",
                        nullptr);
  auto made = s.create(secrets, "istio-system", in);
  REQUIRE(!made.error);
  auto out = *parse_json(made.object->json, nullptr);
  CHECK(find_path(out, {"stringData"}) == nullptr);
  CHECK(find_path(out, {"data", "keep"})->get<std::string>() == "a2VlcA==");
  CHECK(find_path(out, {"data", "both"})->get<std::string>() == "bmV3"); // stringData wins
  CHECK(find_path(out, {"data", "cluster-2"})->get<std::string>() == "YXBpVmVyc2lvbjogdjEK");
  // An update folds it the same way; a Secret without data gets one.
  auto only = *parse_json(R"({"metadata":{"name":"remote"},"stringData":{"k":"v"}})", nullptr);
  auto updated = s.update(secrets, "istio-system", "remote", only);
  REQUIRE(!updated.error);
  auto after = *parse_json(updated.object->json, nullptr);
  CHECK(find_path(after, {"stringData"}) == nullptr);
  CHECK(find_path(after, {"data", "k"})->get<std::string>() == "dg==");
}

TEST_CASE("a Secret whose stringData is not a map of strings is refused as invalid", "[sim]") {
  store s;
  REQUIRE(!s.create(*find_resource("", "v1", "namespaces"), "", named("istio-system")).error);
  const auto& secrets = *find_resource("", "v1", "secrets");
  for (const char* bad : {R"({"metadata":{"name":"x"},"stringData":["a"]})",
                          R"({"metadata":{"name":"x"},"stringData":{"k":1}})",
                          R"({"metadata":{"name":"x"},"data":"a","stringData":{"k":"v"}})"}) {
    INFO(bad);
    auto r = s.create(secrets, "istio-system", *parse_json(bad, nullptr));
    REQUIRE(r.error);
    CHECK(r.error->code == 422);
    CHECK(s.object_count(secrets) == 0);
  }
}
