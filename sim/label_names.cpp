#include "sim/label_names.hpp"

#include <algorithm>

namespace ambient::sim {

namespace {

bool is_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

constexpr std::string_view name_rule
    = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
      "alphanumeric character";

} // namespace

std::string check_label_name(std::string_view s) {
  if (s.size() > 63)
    return "must be no more than 63 characters";
  if (s.empty())
    return {};
  bool ok = is_alnum(s.front()) && is_alnum(s.back())
            && std::all_of(s.begin(), s.end(),
                           [](char c) { return is_alnum(c) || c == '-' || c == '_' || c == '.'; });
  return ok ? std::string{} : std::string{name_rule};
}

std::string check_label_key(std::string_view key) {
  auto name = key;
  if (auto slash = key.find('/'); slash != std::string_view::npos) {
    auto prefix = key.substr(0, slash);
    name = key.substr(slash + 1);
    bool ok = !prefix.empty() && prefix.size() <= 253 && is_alnum(prefix.front())
              && is_alnum(prefix.back()) && std::all_of(prefix.begin(), prefix.end(), [](char c) {
                   return (is_alnum(c) && !(c >= 'A' && c <= 'Z')) || c == '-' || c == '.';
                 });
    if (!ok)
      return "prefix part must be a lowercase DNS subdomain";
  }
  if (name.empty())
    return "name part must be non-empty";
  if (auto err = check_label_name(name); !err.empty())
    return "name part " + err;
  return {};
}

} // namespace ambient::sim
