#pragma once

#include <string_view>

namespace ambient::base {

/// `s` without its leading and trailing characters for which `drop(c)` is true (white space, as
/// each caller defines it).
template <class Pred>
std::string_view trim_if(std::string_view s, Pred drop) {
  while (!s.empty() && drop(s.front()))
    s.remove_prefix(1);
  while (!s.empty() && drop(s.back()))
    s.remove_suffix(1);
  return s;
}

} // namespace ambient::base
