#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string_view>
#include <utility>

/// Enums that are read from and written as text (flag values, selector operators) keep one table
/// of {spelling, value} rows, and these read it both ways.
namespace ambient::base {

/// The rows of an enum's spellings, one per value.
template <class T, std::size_t N>
using spelling_table = std::array<std::pair<std::string_view, T>, N>;

/// The value spelled `text` (exactly, case included), or nullopt.
template <class T, std::size_t N>
constexpr std::optional<T> parse_spelling(const spelling_table<T, N>& table,
                                          std::string_view text) {
  for (const auto& [spelling, value] : table)
    if (spelling == text)
      return value;
  return std::nullopt;
}

/// The spelling of `value`, or "?" when the table has no row for it.
template <class T, std::size_t N>
constexpr std::string_view spelling_of(const spelling_table<T, N>& table, T value) {
  for (const auto& [spelling, v] : table)
    if (v == value)
      return spelling;
  return "?";
}

} // namespace ambient::base
