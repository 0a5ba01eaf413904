#include "sim/continue_token.hpp"

#include "base/decimal.hpp"

#include <string_view>

#include "base/base64.hpp"

namespace ambient::sim {

std::string make_continue(uint64_t rv, const std::string& key) {
  return base::encode_base64(std::to_string(rv) + "\n" + key);
}

std::optional<std::pair<uint64_t, std::string>> parse_continue(const std::string& token) {
  auto raw = base::decode_base64(token);
  if (!raw)
    return std::nullopt;
  auto nl = raw->find('\n');
  if (nl == std::string::npos)
    return std::nullopt;
  auto rv = base::parse_decimal<uint64_t>(std::string_view{*raw}.substr(0, nl));
  if (!rv)
    return std::nullopt;
  return std::make_pair(*rv, raw->substr(nl + 1));
}

} // namespace ambient::sim
