#include "telemetry/repeat_limiter.hpp"

namespace ambient::telemetry {

std::optional<size_t> repeat_limiter::admit(std::string_view key, time_point now) {
  auto it = entries_.find(std::string{key});
  if (it != entries_.end()) {
    auto& e = it->second;
    if (now - e.passed < window_) {
      ++e.swallowed;
      return std::nullopt;
    }
    auto swallowed = e.swallowed;
    e = {now, 0};
    return swallowed;
  }
  if (entries_.size() >= max_keys_) {
    // Forget keys whose window has passed with nothing swallowed; if every key is busy, start
    // over (their counts are lost, never a line that should pass).
    std::erase_if(entries_, [&](const auto& kv) {
      return kv.second.swallowed == 0 && now - kv.second.passed >= window_;
    });
    if (entries_.size() >= max_keys_)
      entries_.clear();
  }
  entries_.emplace(std::string{key}, entry{now, 0});
  return 0;
}

std::string swallowed_note(size_t swallowed) {
  return " (" + std::to_string(swallowed) + " more like this since it was last logged)";
}

} // namespace ambient::telemetry
