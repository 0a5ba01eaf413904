#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace ambient::fuzz {

/// Reads a fuzzer's input front to back: small integers to steer a target, then the rest as text.
class input {
public:
  input(const uint8_t* data, size_t size) : rest_(reinterpret_cast<const char*>(data), size) {}

  /// One byte (0 once the input is used up).
  uint8_t byte() {
    if (rest_.empty())
      return 0;
    auto b = static_cast<uint8_t>(rest_.front());
    rest_.remove_prefix(1);
    return b;
  }

  /// The next `n` bytes (fewer at the end).
  std::string_view take(size_t n) {
    auto out = rest_.substr(0, n);
    rest_.remove_prefix(out.size());
    return out;
  }

  /// Up to the next `sep` (not included; the separator is consumed), or everything left.
  std::string_view until(std::string_view sep) {
    auto at = rest_.find(sep);
    if (at == std::string_view::npos)
      return take(rest_.size());
    auto out = rest_.substr(0, at);
    rest_.remove_prefix(at + sep.size());
    return out;
  }

  std::string_view rest() const {
    return rest_;
  }
  bool empty() const {
    return rest_.empty();
  }

private:
  std::string_view rest_;
};

} // namespace ambient::fuzz
