#include "admin/listen_address.hpp"

#include "base/decimal.hpp"

namespace ambient::admin {

std::optional<std::pair<std::string, uint16_t>> parse_listen_address(std::string_view address) {
  std::string_view host;
  std::string_view port;
  if (address.starts_with('[')) {
    auto close = address.find(']');
    if (close == std::string_view::npos || close == 1 || close + 1 >= address.size()
        || address[close + 1] != ':')
      return std::nullopt;
    host = address.substr(1, close - 1);
    port = address.substr(close + 2);
  } else {
    auto colon = address.rfind(':');
    if (colon == std::string_view::npos)
      return std::nullopt;
    host = address.substr(0, colon);
    if (host.find_first_of(":[]") != std::string_view::npos)
      return std::nullopt; // an IPv6 address needs brackets
    port = address.substr(colon + 1);
  }
  auto value = base::parse_decimal<unsigned>(port);
  if (!value || *value > 65535)
    return std::nullopt;
  return std::pair{std::string{host}, static_cast<uint16_t>(*value)};
}

} // namespace ambient::admin
