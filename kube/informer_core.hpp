#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "kube/decode.hpp"
#include "kube/reflector.hpp"
#include "kube/transport.hpp"
#include "kube/watch_framer.hpp"

namespace ambient::kube {

/// What an informer watches and how.
struct informer_settings {
  resource_kind kind = resource_kind::pods;
  std::string namespace_;     ///< empty: all namespaces
  std::string label_selector; ///< empty: everything
  std::string field_selector; ///< empty: everything (e.g. "metadata.name=istio-ca-root-cert")
  reflector_config reflector; ///< client-go's defaults
  decode_limits limits;       ///< per object
};

/// Counters of one informer, reported with its health.
struct informer_stats {
  uint64_t events_added = 0, events_modified = 0, events_deleted = 0, bookmarks = 0;
  uint64_t relists = 0;
  uint64_t watch_restarts = 0;
  uint64_t errors = 0;
  uint64_t decode_errors = 0;
  size_t objects = 0;
  /// Steady-clock time of the last completed list (0 before the first).
  int64_t last_sync_ns = 0;
};

/// A request the shell starts: GET of `path` (with its query), a LIST or a WATCH stream.
struct informer_request {
  bool watch = false;
  std::string path;
};

/// What the shell does after an input, in this order: abandon the request in flight, hand on the
/// changes as one batch, report the health, log, then start the request or the timer.
struct informer_effects {
  bool cancel = false; ///< the request in flight is abandoned; its results must be ignored
  std::vector<change> changes;
  bool health_changed = false; ///< synced, healthy or last_error changed (or the first report)
  std::vector<std::string> warnings; ///< objects that did not decode
  /// Failed requests. Each also changes last_error, which the parent turns into the cluster's
  /// state (one log line per state change there), so the shell logs these at debug level only.
  std::vector<std::string> failures;
  std::vector<std::string> notes; ///< informational lines
  std::optional<informer_request> request;
  std::optional<std::chrono::milliseconds> wait; ///< call on_timer() after this
};

/// An informer without actor or socket: takes response bytes, stream ends, timer ticks and the
/// time, returns what to do. It owns the reflector (client-go's list/watch state machine), the
/// watch framing, decoding (each object once, with its envelope; an object that does not decode
/// is counted, logged and forgotten, so the stream stays consistent), the HTTP status → failure
/// policy, the request paths, the counters and the health.
class informer_core {
public:
  using time_point = std::chrono::steady_clock::time_point;

  /// `known_keys` and `known_resource_version`: what the parent still holds from an earlier
  /// informer of this collection (reflector::assume_known, reflector::resume_from).
  informer_core(informer_settings settings, std::vector<std::string> known_keys,
                std::string known_resource_version, uint64_t seed);

  /// The first request.
  informer_effects start(time_point now);

  /// A LIST request ended.
  informer_effects on_list(const response_end& end, time_point now);

  /// Bytes of the WATCH stream arrived.
  informer_effects on_watch_bytes(std::string_view bytes, time_point now);

  /// The WATCH stream ended.
  informer_effects on_watch_end(const response_end& end, time_point now);

  /// The request it asked for last ended, a LIST or a WATCH (the core knows which).
  informer_effects on_end(const response_end& end, time_point now);

  /// The wait asked for elapsed.
  informer_effects on_timer(time_point now);

  /// A periodic liveness check: a watch silent past the idle timeout is treated as dead.
  informer_effects on_tick(time_point now);

  const informer_settings& settings() const {
    return settings_;
  }
  /// The counters, with relists and objects up to date.
  const informer_stats& stats();
  bool synced() const {
    return reflector_.has_synced();
  }
  bool healthy() const {
    return healthy_;
  }
  const std::string& last_error() const {
    return last_error_;
  }
  /// The collection's version reached ("" before the first list and while not served).
  const std::string& resource_version() const {
    return reflector_.last_resource_version();
  }

private:
  void apply(reflector_step step, informer_effects& fx, time_point now);
  void fail(failure_kind why, std::string message, informer_effects& fx, time_point now);
  void fail_with(reflector_step step, failure_kind why, std::string message, informer_effects& fx,
                 time_point now);
  void set_health(bool healthy, std::string error, informer_effects& fx);
  void hand_on(std::vector<change>& deltas, informer_effects& fx);
  std::string path_of(const do_list& l) const;
  std::string path_of(const do_watch& w) const;
  /// `path` with the label and field selectors (those set) as query parameters.
  std::string with_selectors(std::string path) const;
  double random01();

  informer_settings settings_;
  reflector reflector_;
  watch_framer framer_;
  std::mt19937_64 rng_;
  informer_stats stats_;
  bool healthy_ = false;
  bool reported_once_ = false;
  bool watching_ = false; ///< the last request asked for is a WATCH
  std::string last_error_;
};

/// "base?k=v&k2=v2", names and values percent-encoded (RFC 3986 unreserved characters kept).
std::string with_query(std::string base,
                       std::initializer_list<std::pair<std::string_view, std::string_view>> params);

} // namespace ambient::kube
