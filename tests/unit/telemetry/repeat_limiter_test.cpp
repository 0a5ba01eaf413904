#include <catch2/catch.hpp>

#include "telemetry/repeat_limiter.hpp"

using namespace ambient::telemetry;
using namespace std::chrono_literals;

TEST_CASE("a repeated line passes once per window and then says how many were swallowed",
          "[telemetry]") {
  repeat_limiter limiter{60s};
  const repeat_limiter::time_point t0{};
  CHECK(limiter.admit("informer", "a", t0) == 0u);
  CHECK_FALSE(limiter.admit("informer", "a", t0 + 1s));
  CHECK_FALSE(limiter.admit("informer", "a", t0 + 59s));
  // The same text from another logger is another line.
  CHECK(limiter.admit("publisher", "a", t0 + 2s) == 0u);
  CHECK(limiter.admit("informer", "a", t0 + 60s) == 2u);
  CHECK_FALSE(limiter.admit("informer", "a", t0 + 61s));
  CHECK(limiter.admit("informer", "a", t0 + 200s) == 1u);
  CHECK(limiter.admit("informer", "a", t0 + 400s) == 0u);
  CHECK(swallowed_note(2) == " (2 more like this since it was last logged)");
}

TEST_CASE("a line is no repeat once its logger wrote another one in between", "[telemetry]") {
  repeat_limiter limiter{60s};
  const repeat_limiter::time_point t0{};
  CHECK(limiter.admit("cluster_store", "cluster-4: synced", t0) == 0u);
  CHECK(limiter.admit("cluster_store", "cluster-4: stale", t0 + 9s) == 0u);
  CHECK(limiter.admit("cluster_store", "cluster-4: synced", t0 + 15s) == 0u);
  CHECK_FALSE(limiter.admit("cluster_store", "cluster-4: synced", t0 + 16s));
}

TEST_CASE("the limiter remembers a bounded number of lines and never swallows a new one",
          "[telemetry]") {
  repeat_limiter limiter{60s, 3};
  const repeat_limiter::time_point t0{};
  for (auto text : {"a", "b", "c"})
    CHECK(limiter.admit("x", text, t0) == 0u);
  CHECK(limiter.admit("x", "a", t0 + 1s) == 0u); // "b" and "c" came in between
  CHECK_FALSE(limiter.admit("x", "a", t0 + 2s));
  // Full, every line busy: a new one still passes.
  CHECK(limiter.admit("x", "d", t0 + 3s) == 0u);
  CHECK(limiter.size() <= 3);
  CHECK(limiter.admit("x", "e", t0 + 120s) == 0u);
  CHECK(limiter.size() <= 3);
}
