#include "cmd/flag_values.hpp"

#include <cstdint>

namespace ambient::cmd {

std::optional<bool> parse_bool(std::string_view text) {
  if (text == "true" || text == "1" || text == "yes")
    return true;
  if (text == "false" || text == "0" || text == "no")
    return false;
  return std::nullopt;
}

std::vector<std::string> split_list(std::string_view text) {
  std::vector<std::string> out;
  while (!text.empty()) {
    auto pos = text.find(',');
    auto item = text.substr(0, pos);
    if (!item.empty())
      out.emplace_back(item);
    if (pos == std::string_view::npos)
      break;
    text.remove_prefix(pos + 1);
  }
  return out;
}

std::string join(const std::vector<std::string>& xs, std::string_view sep) {
  std::string out;
  for (const auto& x : xs) {
    if (!out.empty())
      out += sep;
    out += x;
  }
  return out;
}

std::optional<std::chrono::milliseconds> parse_duration(std::string_view text) {
  if (text.empty())
    return std::nullopt;
  if (text == "0")
    return std::chrono::milliseconds{0};
  int64_t total_ms = 0;
  while (!text.empty()) {
    size_t digits = 0;
    while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9')
      ++digits;
    if (digits == 0)
      return std::nullopt;
    auto number = parse_unsigned<int64_t>(text.substr(0, digits));
    if (!number)
      return std::nullopt;
    text.remove_prefix(digits);
    int64_t unit_ms = 0;
    if (text.starts_with("ms")) {
      unit_ms = 1;
      text.remove_prefix(2);
    } else if (text.starts_with("s")) {
      unit_ms = 1000;
      text.remove_prefix(1);
    } else if (text.starts_with("m")) {
      unit_ms = 60'000;
      text.remove_prefix(1);
    } else if (text.starts_with("h")) {
      unit_ms = 3'600'000;
      text.remove_prefix(1);
    } else {
      return std::nullopt;
    }
    if (*number > (INT64_MAX - total_ms) / unit_ms)
      return std::nullopt;
    total_ms += *number * unit_ms;
  }
  return std::chrono::milliseconds{total_ms};
}

std::string format_duration(std::chrono::milliseconds d) {
  auto ms = d.count();
  if (ms == 0)
    return "0s";
  std::string out;
  auto h = ms / 3'600'000;
  ms %= 3'600'000;
  auto m = ms / 60'000;
  ms %= 60'000;
  auto s = ms / 1000;
  ms %= 1000;
  if (h)
    out += std::to_string(h) + "h";
  if (m)
    out += std::to_string(m) + "m";
  if (s)
    out += std::to_string(s) + "s";
  if (ms)
    out += std::to_string(ms) + "ms";
  return out;
}

} // namespace ambient::cmd
