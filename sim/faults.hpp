#pragma once

#include <atomic>
#include <chrono>

namespace ambient::sim {

/// The switches of one cluster's fault menu. Tests and the admin API flip them; the API server
/// reads them on every request and every watch event. All fields are safe to use from any thread.
struct fault_state {
  /// Fail the next N requests (watches included) with `fail_code` (500 or 429).
  std::atomic<int> fail_next{0};
  std::atomic<int> fail_code{500};
  /// Hold every watch stream open without sending a byte (events and bookmarks queue up).
  std::atomic<bool> stall_watches{false};
  /// Answer the next N watches with an ERROR event 410 Expired.
  std::atomic<int> expire_next_watches{0};
  /// Replace the next N watch events with a line that is not valid JSON.
  std::atomic<int> malformed_next_events{0};
  /// Delay every response (and the start of every watch) by this many milliseconds.
  std::atomic<int> latency_ms{0};
  /// The Gateway API CRDs are not installed: every request under
  /// /apis/gateway.networking.k8s.io gets 404 NotFound (the objects stay in the store).
  std::atomic<bool> gateway_api_missing{false};

  /// Takes one unit from a counter if it is positive; true if one was taken.
  static bool take(std::atomic<int>& counter) {
    int n = counter.load();
    while (n > 0)
      if (counter.compare_exchange_weak(n, n - 1))
        return true;
    return false;
  }
};

} // namespace ambient::sim
