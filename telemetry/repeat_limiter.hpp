#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace ambient::telemetry {

/// Decides which repeats of a log line to swallow. The first line of a key (logger, level and
/// text) passes; the same key again within `window` of the last one that passed is swallowed and
/// counted; the first after the window passes and carries how many were swallowed meanwhile. A
/// cluster whose API server is down then writes a line per window, not per retry. Pure: the time
/// is an input.
class repeat_limiter {
public:
  using time_point = std::chrono::steady_clock::time_point;

  explicit repeat_limiter(std::chrono::steady_clock::duration window, size_t max_keys = 4096)
    : window_(window), max_keys_(max_keys) {
    // nop
  }

  /// nullopt: swallow the line. Otherwise pass it, with the number of its repeats swallowed since
  /// the last one passed.
  std::optional<size_t> admit(std::string_view key, time_point now);

  /// The keys remembered (at most max_keys).
  size_t size() const {
    return entries_.size();
  }

private:
  struct entry {
    time_point passed;
    size_t swallowed = 0;
  };

  std::chrono::steady_clock::duration window_;
  size_t max_keys_;
  std::unordered_map<std::string, entry> entries_;
};

/// " (N more like this since it was last logged)": what a passed line carries.
std::string swallowed_note(size_t swallowed);

} // namespace ambient::telemetry
