#include "xds/caller_credentials.hpp"

namespace ambient::xds {

namespace {

constexpr std::string_view authorization_key = "authorization";
constexpr std::string_view cluster_id_key = "clusterid";

bool same_key(std::string_view a, std::string_view b) {
  if (a.size() != b.size())
    return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char c = a[i];
    if (c >= 'A' && c <= 'Z')
      c = static_cast<char>(c - 'A' + 'a');
    if (c != b[i])
      return false;
  }
  return true;
}

} // namespace

std::variant<std::string_view, credentials_error> bearer_token(const metadata_view& md) {
  size_t values = 0;
  for (const auto& [key, value] : md) {
    if (!same_key(key, authorization_key))
      continue;
    ++values;
    if (value.substr(0, bearer_prefix.size()) != bearer_prefix)
      continue;
    auto token = value.substr(bearer_prefix.size());
    if (token.empty())
      return credentials_error{credentials_errc::empty_token,
                               "the authorization header's bearer token is empty"};
    if (token.size() > max_bearer_token_bytes)
      return credentials_error{credentials_errc::too_large,
                               "the bearer token has " + std::to_string(token.size())
                                   + " bytes, more than the limit of "
                                   + std::to_string(max_bearer_token_bytes)};
    return token;
  }
  if (values == 0)
    return credentials_error{credentials_errc::no_authorization,
                             "no authorization header (expected \"Bearer <token>\")"};
  return credentials_error{credentials_errc::no_bearer,
                           "none of the " + std::to_string(values)
                               + " authorization header value(s) starts with \"Bearer \""};
}

cluster_claim cluster_id(const metadata_view& md) {
  cluster_claim out;
  std::string_view only;
  for (const auto& [key, value] : md) {
    if (same_key(key, cluster_id_key)) {
      ++out.values;
      only = value;
    }
  }
  if (out.values == 1)
    out.id = only;
  return out;
}

} // namespace ambient::xds
