#pragma once

#include <charconv>
#include <optional>
#include <string_view>
#include <system_error>

namespace ambient::base {

/// Parses the whole of `text` as a decimal integer of type T (a leading '-' only for signed
/// types); nullopt when it is empty, has anything else in it, or does not fit: the one reading of
/// numbers in request targets, selectors and query parameters.
template <class T>
std::optional<T> parse_decimal(std::string_view text) {
  T value{};
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc{} || ptr != end)
    return std::nullopt;
  return value;
}

} // namespace ambient::base
