#pragma once

#include <atomic>
#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

namespace ambient::sim {

/// What the tokenreview fault does to `POST .../tokenreviews`.
enum class token_review_fault {
  none,  ///< reviews are served
  fail,  ///< reviews get 500 InternalError (a Status, no TokenReview)
  stall, ///< reviews are held unanswered until the fault is cleared (then served) or the
         ///< client gives up
};

/// The switches of one cluster's fault menu. Tests and the admin API flip them; the API server
/// reads them on every request and every watch event. All fields are safe to use from any thread.
struct fault_state {
  /// Fail the next N requests (watches included) with `fail_code` (500 or 429).
  std::atomic<int> fail_next{0};
  std::atomic<int> fail_code{500};
  /// Hold every watch stream open without sending a byte (events and bookmarks queue up).
  std::atomic<bool> stall_watches{false};
  /// How many times a stalled watch held back queued events when it would have sent them (a
  /// test's proof that the stall, not a slow server, kept them).
  std::atomic<int> stalled_flushes{0};
  /// Answer the next N watches with an ERROR event 410 Expired.
  std::atomic<int> expire_next_watches{0};
  /// Replace the next N watch events with a line that is not valid JSON.
  std::atomic<int> malformed_next_events{0};
  /// Delay every response (and the start of every watch) by this many milliseconds.
  std::atomic<int> latency_ms{0};
  /// The Gateway API CRDs are not installed: every request under
  /// /apis/gateway.networking.k8s.io gets 404 NotFound (the objects stay in the store).
  std::atomic<bool> gateway_api_missing{false};
  /// The tokenreview fault: TokenReviews fail or stall until set back to none.
  std::atomic<token_review_fault> token_reviews{token_review_fault::none};
  /// How many times a stalled TokenReview was looked at again (a test's proof that one is held).
  std::atomic<int> held_token_reviews{0};

  /// Every LIST of one resource (its plural, e.g. "services") is refused with `code` (403 or
  /// 500) until cleared, or, with code 0, held unanswered until cleared and then served: a
  /// cluster that cannot sync one resource while the others work. An empty resource clears it.
  void refuse_lists(std::string resource, int code) {
    std::lock_guard g{refused_mutex_};
    refused_resource_ = std::move(resource);
    refused_code_ = code;
  }
  /// The refusal standing for a GET of `target` if it is a LIST (not a watch) of the refused
  /// resource: a collection path whose last segment is that resource's plural.
  std::optional<int> list_refusal_for(std::string_view target) const {
    auto q = target.find('?');
    auto path = target.substr(0, q);
    if (q != std::string_view::npos) {
      auto query = target.substr(q + 1);
      if (query.find("watch=1") != std::string_view::npos
          || query.find("watch=true") != std::string_view::npos)
        return std::nullopt;
    }
    auto slash = path.rfind('/');
    if (slash == std::string_view::npos)
      return std::nullopt;
    return list_refusal(path.substr(slash + 1));
  }
  /// How many times a held LIST was looked at again (a test's proof that one is being held).
  std::atomic<int> held_lists{0};
  /// The code LISTs of `resource` are refused with (0: held), or nullopt when they are served.
  std::optional<int> list_refusal(std::string_view resource) const {
    std::lock_guard g{refused_mutex_};
    if (refused_resource_.empty() || resource != refused_resource_)
      return std::nullopt;
    return refused_code_;
  }

  /// Takes one unit from a counter if it is positive; true if one was taken.
  static bool take(std::atomic<int>& counter) {
    int n = counter.load();
    while (n > 0)
      if (counter.compare_exchange_weak(n, n - 1))
        return true;
    return false;
  }

private:
  mutable std::mutex refused_mutex_;
  std::string refused_resource_;
  int refused_code_ = 0;
};

} // namespace ambient::sim
