#include "xds/spiffe_id.hpp"

#include <array>

namespace ambient::xds {

namespace {

constexpr std::string_view scheme = "spiffe://";

} // namespace

std::string spiffe_id::to_string() const {
  return std::string{scheme} + trust_domain + "/ns/" + namespace_ + "/sa/" + service_account;
}

std::optional<spiffe_id> parse_spiffe_id(std::string_view text) {
  if (!text.starts_with(scheme))
    return std::nullopt;
  text.remove_prefix(scheme.size());
  std::array<std::string_view, 5> parts;
  for (size_t i = 0; i < parts.size(); ++i) {
    auto slash = text.find('/');
    if ((slash == std::string_view::npos) != (i + 1 == parts.size()))
      return std::nullopt; // too few or too many parts
    parts[i] = text.substr(0, slash);
    if (slash != std::string_view::npos)
      text.remove_prefix(slash + 1);
  }
  if (parts[1] != "ns" || parts[3] != "sa")
    return std::nullopt;
  return spiffe_id{std::string{parts[0]}, std::string{parts[2]}, std::string{parts[4]}};
}

} // namespace ambient::xds
