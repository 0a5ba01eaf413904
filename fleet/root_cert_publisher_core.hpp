#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "fleet/status_writer_core.hpp"
#include "kube/transport.hpp"

namespace ambient::fleet {

/// The ConfigMap every namespace gets, and its key holding the CA's roots.
inline constexpr std::string_view root_cert_config_map = "istio-ca-root-cert";
inline constexpr std::string_view root_cert_key = "root-cert.pem";

/// Namespaces that never get the roots (kube-system does).
bool root_cert_ignored_namespace(std::string_view name);

/// How failed writes are retried: `max_attempts` tries of one namespace in all, the wait doubling
/// from `initial_backoff` up to `max_backoff`. After the last, the namespace waits for its next
/// event (a namespace or ConfigMap change, a root rotation).
struct root_cert_retry {
  int max_attempts = 5;
  std::chrono::milliseconds initial_backoff{100};
  std::chrono::milliseconds max_backoff{1600};
};

/// What the response to the publisher's call meant, for the log.
struct root_cert_outcome {
  enum class kind {
    written,   ///< created or updated
    skipped,   ///< refused in a way a retry cannot fix (exists, gone, forbidden, terminating)
    forbidden, ///< skipped: 403, the publisher has no permission there (logged at info)
    retrying,  ///< failed; tried again after a backoff
    gave_up,   ///< failed `max_attempts` times
    stale,     ///< no call was in flight (leadership changed meanwhile)
  } what
      = kind::stale;
  std::string message;
};

/// istiod's namespace controller without actor or socket (the core of
/// actors/root_cert_publisher). While this replica leads it keeps ConfigMap `istio-ca-root-cert`
/// (label `istio.io/config: "true"`) in every namespace that is admitted by the discovery
/// selectors, not terminating and not ignored, with `root-cert.pem` holding the CA's roots: it
/// creates a missing one and rewrites only that key of one holding other roots (a JSON merge
/// patch, so other keys stay). It learns the namespaces and the ConfigMaps from the shell's
/// informers, reconciles one namespace at a time from a de-duplicated queue, and returns the call
/// to make; it never writes while its views have not synced.
class root_cert_publisher_core {
public:
  using time_point = std::chrono::steady_clock::time_point;

  explicit root_cert_publisher_core(std::string roots_pem, root_cert_retry retry = {});

  /// Leadership changed. Either way the queue, the call in flight and both views are dropped:
  /// the shell starts new informers for the next term.
  void on_leadership(bool leading);

  /// The CA's roots changed (rotation): every namespace is rewritten.
  void on_roots(std::string roots_pem);

  /// Both informers have listed everything: writing may start.
  void on_synced();

  /// A namespace was added or updated; `admitted`: the discovery selectors admit it.
  void on_namespace(const std::string& name, bool terminating, bool admitted);
  /// The discovery selectors started or stopped admitting a known namespace.
  void on_admission(const std::string& name, bool admitted);
  void on_namespace_deleted(const std::string& name);

  /// The ConfigMap of namespace `ns` was added or updated; `roots`: its `root-cert.pem` value,
  /// none when it has no such key.
  void on_config_map(const std::string& ns, std::optional<std::string> roots);
  void on_config_map_deleted(const std::string& ns);

  /// The call to make now: none while one is in flight, while not leading or not synced, or when
  /// every queued namespace is as it should be or waits for a retry.
  std::optional<api_call> next(time_point now);

  /// The call in flight ended.
  root_cert_outcome on_response(const kube::response_end& end, time_point now);

  /// When the earliest retry falls due (call next() then), none when no retry waits.
  std::optional<time_point> wake_at() const;

  bool leading() const {
    return leading_;
  }
  /// Namespaces waiting to be reconciled (queued or waiting for a retry).
  size_t pending() const {
    return queue_.size() + waiting_.size();
  }

private:
  struct namespace_info {
    bool terminating = false;
    bool admitted = false;
  };

  bool wanted(const std::string& ns) const;
  void enqueue(const std::string& ns);
  std::optional<api_call> reconcile(const std::string& ns);
  root_cert_outcome retry_or_give_up(const std::string& ns, std::string why, time_point now);

  std::string roots_;
  root_cert_retry retry_;
  bool leading_ = false;
  bool synced_ = false;
  std::map<std::string, namespace_info> namespaces_;
  /// Namespace → the `root-cert.pem` of its ConfigMap (none: the key is missing); a namespace
  /// without the ConfigMap has no entry.
  std::map<std::string, std::optional<std::string>> config_maps_;
  std::deque<std::string> queue_;
  std::set<std::string> queued_;
  std::map<std::string, time_point> waiting_; ///< namespace → when its retry falls due
  std::map<std::string, int> attempts_;       ///< failed attempts of a namespace so far
  struct call_in_flight {
    std::string ns;
    bool creating = false;
  };
  std::optional<call_in_flight> in_flight_;
};

} // namespace ambient::fleet
