#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace ambient::telemetry {

/// Decides which repeats of a log line to swallow. A line (its logger, level and text) passes the
/// first time; written again by the same logger within `window`, with no other line of that logger
/// passed in between, it is a repeat: swallowed and counted. The first one after the window, or
/// after another line of its logger, passes and carries how many were swallowed meanwhile. So a
/// retry loop writes a line per window, while a state that changes back and forth (synced, stale,
/// synced) is logged every time. Pure: the time is an input.
class repeat_limiter {
public:
  using time_point = std::chrono::steady_clock::time_point;

  explicit repeat_limiter(std::chrono::steady_clock::duration window, size_t max_keys = 4096)
    : window_(window), max_keys_(max_keys) {
    // nop
  }

  /// nullopt: swallow the line `text` of `logger`. Otherwise pass it, with the number of its
  /// repeats swallowed since the last one passed.
  std::optional<size_t> admit(std::string_view logger, std::string_view text, time_point now);

  /// The keys remembered (at most max_keys).
  size_t size() const {
    return entries_.size();
  }

private:
  struct entry {
    time_point passed;
    uint64_t logger_seq = 0; ///< its logger's count of passed lines, right after it passed
    size_t swallowed = 0;
  };

  std::chrono::steady_clock::duration window_;
  size_t max_keys_;
  std::unordered_map<std::string, entry> entries_;   ///< by logger + '\0' + text
  std::unordered_map<std::string, uint64_t> passed_; ///< lines passed, by logger
  std::string key_;
};

/// " (N more like this since it was last logged)": what a passed line carries.
std::string swallowed_note(size_t swallowed);

} // namespace ambient::telemetry
