#pragma once

#include <charconv>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

/// The syntax of flag values, on the command line and in a --config file: numbers, booleans,
/// comma-separated lists and Go-style durations.
namespace ambient::cmd {

/// Reads a whole decimal number of type T (no sign, no blanks); nullopt if malformed or too large.
template <class T>
std::optional<T> parse_unsigned(std::string_view text) {
  T value{};
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || ptr != text.data() + text.size() || text.empty())
    return std::nullopt;
  return value;
}

/// Reads true/1/yes or false/0/no; nullopt for anything else.
std::optional<bool> parse_bool(std::string_view text);

/// Splits "a,b,,c" into {"a", "b", "c"} (empty items dropped).
std::vector<std::string> split_list(std::string_view text);

/// Joins `xs` with `sep` between them.
std::string join(const std::vector<std::string>& xs, std::string_view sep);

/// Parses a Go-style duration ("30s", "1m30s", "250ms", "2h"); nullopt if malformed or negative.
std::optional<std::chrono::milliseconds> parse_duration(std::string_view text);

/// Formats a duration the way parse_duration reads it back ("1m30s", "250ms", "0s").
std::string format_duration(std::chrono::milliseconds d);

} // namespace ambient::cmd
