#pragma once

#include <deque>
#include <mutex>
#include <string>
#include <vector>

namespace ambient::sim {

/// The last `limit` requests an API server served, as "METHOD target", oldest first: what a
/// client asked for, so a test can observe the path it took. Safe to use from any thread.
class request_log {
public:
  explicit request_log(size_t limit = 10'000) : limit_(limit) {}

  void add(std::string line) {
    std::lock_guard g{mutex_};
    lines_.push_back(std::move(line));
    if (lines_.size() > limit_)
      lines_.pop_front();
  }

  std::vector<std::string> snapshot() const {
    std::lock_guard g{mutex_};
    return {lines_.begin(), lines_.end()};
  }

private:
  size_t limit_;
  mutable std::mutex mutex_;
  std::deque<std::string> lines_;
};

} // namespace ambient::sim
