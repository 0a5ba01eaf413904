#include "xds/session_base.hpp"

#include <utility>

#include "xds/type_urls.hpp"

namespace ambient::xds {

session_base::session_base(std::string type_url)
  : session_base(type_url, supports_wildcard(type_url)) {}

session_base::session_base(std::string type_url, bool legacy_wildcard)
  : type_url_(std::move(type_url)), legacy_wildcard_(legacy_wildcard) {}

} // namespace ambient::xds
