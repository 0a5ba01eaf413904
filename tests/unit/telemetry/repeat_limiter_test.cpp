#include <catch2/catch.hpp>

#include "telemetry/repeat_limiter.hpp"

using namespace ambient::telemetry;
using namespace std::chrono_literals;

TEST_CASE("a repeated line passes once per window and then says how many were swallowed",
          "[telemetry]") {
  repeat_limiter limiter{60s};
  const repeat_limiter::time_point t0{};
  CHECK(limiter.admit("a", t0) == 0u);
  CHECK_FALSE(limiter.admit("a", t0 + 1s));
  CHECK_FALSE(limiter.admit("a", t0 + 59s));
  // Another line is not held up by the first.
  CHECK(limiter.admit("b", t0 + 2s) == 0u);
  CHECK(limiter.admit("a", t0 + 60s) == 2u);
  CHECK_FALSE(limiter.admit("a", t0 + 61s));
  CHECK(limiter.admit("a", t0 + 200s) == 1u);
  CHECK(limiter.admit("a", t0 + 400s) == 0u);
  CHECK(swallowed_note(2) == " (2 more like this since it was last logged)");
}

TEST_CASE("the limiter remembers a bounded number of lines and never swallows a new one",
          "[telemetry]") {
  repeat_limiter limiter{60s, 3};
  const repeat_limiter::time_point t0{};
  for (auto key : {"a", "b", "c"})
    CHECK(limiter.admit(key, t0) == 0u);
  CHECK_FALSE(limiter.admit("a", t0 + 1s));
  // Full, every key busy: a new line still passes.
  CHECK(limiter.admit("d", t0 + 2s) == 0u);
  CHECK(limiter.size() <= 3);
  // After the window the idle keys are forgotten first.
  CHECK(limiter.admit("e", t0 + 120s) == 0u);
  CHECK(limiter.size() <= 3);
}
