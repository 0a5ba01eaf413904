#include "kube/backoff.hpp"

#include <algorithm>

namespace ambient::kube {

backoff::duration backoff::next(time_point now, double random01) {
  if (last_ && now - *last_ > p_.reset_after)
    current_ = duration{0};
  last_ = now;
  if (current_.count() == 0)
    current_ = p_.initial;
  else
    current_ = std::min(
        p_.cap, duration{static_cast<int64_t>(static_cast<double>(current_.count()) * p_.factor)});
  auto r = std::clamp(random01, 0.0, 1.0);
  return duration{
      static_cast<int64_t>(static_cast<double>(current_.count()) * (1.0 + p_.jitter * r))};
}

} // namespace ambient::kube
