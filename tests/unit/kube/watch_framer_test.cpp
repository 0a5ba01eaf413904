#include <catch2/catch.hpp>

#include "kube/watch_framer.hpp"

using ambient::kube::watch_framer;

TEST_CASE("the framer cuts events on object boundaries not on chunks", "[kube]") {
  const std::string stream = R"({"type":"ADDED","object":{"a":"x}{\"y"}})"
                             "\n"
                             R"({"type":"DELETED","object":{"b":[1,{"c":2}]}})"
                             "\n";
  for (size_t chunk : {1u, 2u, 7u, 1000u}) {
    watch_framer f;
    std::vector<std::string> out;
    for (size_t i = 0; i < stream.size(); i += chunk)
      REQUIRE(!f.feed(std::string_view{stream}.substr(i, chunk), out));
    REQUIRE(out.size() == 2);
    CHECK(out[0] == R"({"type":"ADDED","object":{"a":"x}{\"y"}})");
    CHECK(out[1].starts_with(R"({"type":"DELETED")"));
    CHECK(!f.has_partial());
  }
}

TEST_CASE("a truncated event is reported as partial", "[kube]") {
  watch_framer f;
  std::vector<std::string> out;
  REQUIRE(!f.feed(R"({"type":"ADDED","obj)", out));
  CHECK(out.empty());
  CHECK(f.has_partial());
  f.reset();
  CHECK(!f.has_partial());
}

TEST_CASE("bytes outside an object and oversized events are errors", "[kube]") {
  std::vector<std::string> out;
  watch_framer f;
  auto err = f.feed("garbage", out);
  REQUIRE(err);
  CHECK(*err == "watch stream: unexpected byte outside an event object (0x67)"); // 'g'
  watch_framer small{16};
  auto big = small.feed(R"({"type":"ADDED","object":{}})", out);
  REQUIRE(big);
  CHECK(big->find("larger than 16") != std::string::npos);
}

TEST_CASE("an event line that ends inside its object is an error, not the start of a long one",
          "[kube]") {
  // kube-sim's malformed-events fault: an object left open, then the next (good) events.
  const std::string stream = "{\"type\":\"MODIFIED\",\"object\":{\"kind\":\x01garbage\n"
                             R"({"type":"ADDED","object":{}})"
                             "\n";
  watch_framer f;
  std::vector<std::string> out;
  auto err = f.feed(stream, out);
  REQUIRE(err);
  CHECK(err->find("ended inside its object") != std::string::npos);
  CHECK(out.empty());
  // a newline inside a string is escaped on the wire; an escaped one is just text
  f.reset();
  REQUIRE(!f.feed(R"({"type":"ADDED","object":{"a":"line\nbreak"}})"
                  "\n",
                  out));
  CHECK(out.size() == 1);
}
