#include "ca/ttl_policy.hpp"

#include <string>

namespace ambient::ca {

namespace {

std::string seconds_text(std::chrono::seconds s) {
  return std::to_string(s.count()) + "s";
}

} // namespace

result<std::chrono::seconds> effective_ttl(const ttl_policy& policy, std::chrono::seconds requested,
                                           std::chrono::system_clock::time_point ca_not_after,
                                           std::chrono::system_clock::time_point now) {
  if (requested > policy.max_ttl)
    return error{errc::bad_ttl, "requested TTL " + seconds_text(requested)
                                    + " is greater than the max allowed TTL "
                                    + seconds_text(policy.max_ttl)};
  auto ttl = requested.count() <= 0 ? policy.default_ttl : requested;
  auto left = std::chrono::duration_cast<std::chrono::seconds>(ca_not_after - now);
  if (left.count() <= 0)
    return error{errc::ca_expired, "the CA signing certificate has expired"};
  return ttl < left ? ttl : left;
}

} // namespace ambient::ca
