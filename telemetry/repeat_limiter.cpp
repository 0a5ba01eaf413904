#include "telemetry/repeat_limiter.hpp"

namespace ambient::telemetry {

std::optional<size_t> repeat_limiter::admit(std::string_view logger, std::string_view text,
                                            time_point now) {
  key_.assign(logger);
  key_ += '\0';
  key_ += text;
  auto& seq = passed_[std::string{logger}];
  auto it = entries_.find(key_);
  if (it != entries_.end()) {
    auto& e = it->second;
    if (now - e.passed < window_ && e.logger_seq == seq) {
      ++e.swallowed;
      return std::nullopt;
    }
    auto swallowed = e.swallowed;
    e = {now, ++seq, 0};
    return swallowed;
  }
  if (entries_.size() >= max_keys_) {
    // Forget lines whose window has passed with nothing swallowed; if every one is busy, start
    // over (their counts are lost, never a line that should pass).
    std::erase_if(entries_, [&](const auto& kv) {
      return kv.second.swallowed == 0 && now - kv.second.passed >= window_;
    });
    if (entries_.size() >= max_keys_)
      entries_.clear();
    if (passed_.size() >= max_keys_)
      passed_.clear();
  }
  entries_.emplace(key_, entry{now, ++seq, 0});
  return 0;
}

std::string swallowed_note(size_t swallowed) {
  return " (" + std::to_string(swallowed) + " more like this since it was last logged)";
}

} // namespace ambient::telemetry
