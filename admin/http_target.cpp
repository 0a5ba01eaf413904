#include "admin/http_target.hpp"

#include "base/percent.hpp"

namespace ambient::admin {

std::optional<http_request> parse_target(std::string_view method, std::string_view target) {
  http_request req{std::string{method}, std::string{target}, {}, {}};
  auto mark = target.find('?');
  auto path = base::percent_decode(target.substr(0, mark), false);
  if (!path)
    return std::nullopt;
  req.path = std::move(*path);
  auto rest = mark == std::string_view::npos ? std::string_view{} : target.substr(mark + 1);
  while (!rest.empty()) {
    auto amp = rest.find('&');
    auto pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view{} : rest.substr(amp + 1);
    if (pair.empty())
      continue;
    auto eq = pair.find('=');
    auto key = base::percent_decode(pair.substr(0, eq), true);
    auto value = base::percent_decode(
        eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1), true);
    if (!key || !value)
      return std::nullopt;
    req.query.emplace(std::move(*key), std::move(*value));
  }
  return req;
}

} // namespace ambient::admin
