#pragma once

#include <chrono>
#include <cstdint>

namespace ambient::bench {

/// CLOCK_MONOTONIC in ns: shared by every process on the machine, so kube-sim's stamps, the
/// fleet's arrivals and the driver's marks compare directly. The one clock of every bench figure.
inline int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

} // namespace ambient::bench
