#include "sim/query_string.hpp"

#include "base/percent.hpp"

namespace ambient::sim {

std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space) {
  return base::percent_decode(text, plus_is_space);
}

std::optional<std::map<std::string, std::string>> parse_query(std::string_view query) {
  std::map<std::string, std::string> out;
  while (!query.empty()) {
    auto amp = query.find('&');
    auto pair = query.substr(0, amp);
    auto eq = pair.find('=');
    auto key = percent_decode(pair.substr(0, eq), true);
    auto value = eq == std::string_view::npos ? std::optional<std::string>{""}
                                              : percent_decode(pair.substr(eq + 1), true);
    if (!key || !value)
      return std::nullopt;
    if (!key->empty())
      out[*key] = *value;
    if (amp == std::string_view::npos)
      break;
    query.remove_prefix(amp + 1);
  }
  return out;
}

} // namespace ambient::sim
