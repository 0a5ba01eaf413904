#include "kube/timestamp.hpp"

#include <chrono>

namespace ambient::kube {

namespace {

/// Reads exactly `n` digits at the front of `s` into `out`.
bool digits(std::string_view& s, size_t n, int& out) {
  if (s.size() < n)
    return false;
  out = 0;
  for (size_t i = 0; i < n; ++i) {
    if (s[i] < '0' || s[i] > '9')
      return false;
    out = out * 10 + (s[i] - '0');
  }
  s.remove_prefix(n);
  return true;
}

/// Consumes `c` at the front of `s` (either case when it is a letter).
bool expect(std::string_view& s, char c) {
  if (s.empty())
    return false;
  char got = s.front();
  if (got >= 'a' && got <= 'z')
    got = static_cast<char>(got - 'a' + 'A');
  if (got != c)
    return false;
  s.remove_prefix(1);
  return true;
}

} // namespace

std::optional<int64_t> parse_rfc3339_seconds(std::string_view text) {
  std::string_view s = text;
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!digits(s, 4, year) || !expect(s, '-') || !digits(s, 2, month) || !expect(s, '-')
      || !digits(s, 2, day) || !expect(s, 'T') || !digits(s, 2, hour) || !expect(s, ':')
      || !digits(s, 2, minute) || !expect(s, ':') || !digits(s, 2, second))
    return std::nullopt;
  if (!s.empty() && s.front() == '.') {
    s.remove_prefix(1);
    size_t n = 0;
    while (n < s.size() && s[n] >= '0' && s[n] <= '9')
      ++n;
    if (n == 0)
      return std::nullopt;
    s.remove_prefix(n);
  }
  int offset = 0;
  if (!expect(s, 'Z')) {
    if (s.empty() || (s.front() != '+' && s.front() != '-'))
      return std::nullopt;
    const int sign = s.front() == '-' ? -1 : 1;
    s.remove_prefix(1);
    int off_hour = 0, off_minute = 0;
    if (!digits(s, 2, off_hour) || !expect(s, ':') || !digits(s, 2, off_minute) || off_hour > 23
        || off_minute > 59)
      return std::nullopt;
    offset = sign * (off_hour * 3600 + off_minute * 60);
  }
  if (!s.empty() || hour > 23 || minute > 59 || second > 60)
    return std::nullopt;
  const std::chrono::year_month_day date{std::chrono::year{year},
                                         std::chrono::month{static_cast<unsigned>(month)},
                                         std::chrono::day{static_cast<unsigned>(day)}};
  if (!date.ok())
    return std::nullopt;
  const int64_t days = std::chrono::sys_days{date}.time_since_epoch().count();
  return days * 86400 + hour * 3600 + minute * 60 + second - offset;
}

} // namespace ambient::kube
