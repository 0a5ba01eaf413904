#pragma once

#include <chrono>
#include <optional>

namespace ambient::kube {

/// Exponential backoff with jitter, as client-go's reflector uses it (800 ms doubling to 30 s,
/// jitter factor 1.0, reset after 2 minutes without a failure). Pure: time and randomness are
/// inputs.
class backoff {
public:
  using duration = std::chrono::milliseconds;
  using time_point = std::chrono::steady_clock::time_point;

  struct params {
    duration initial{800};
    duration cap{30'000};
    double factor = 2.0;
    double jitter = 1.0; ///< a delay d becomes d * (1 + jitter * random01)
    duration reset_after{120'000};
  };

  backoff() = default;
  explicit backoff(params p) : p_(p) {
    // nop
  }

  /// Returns how long to wait after a failure at `now`; `random01` is uniform in [0, 1).
  duration next(time_point now, double random01);

  /// Forgets past failures (the next delay is the initial one).
  void reset() {
    current_ = duration{0};
    last_.reset();
  }

  const params& settings() const {
    return p_;
  }

private:
  params p_;
  duration current_{0};
  std::optional<time_point> last_;
};

} // namespace ambient::kube
