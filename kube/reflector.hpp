#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <variant>
#include <vector>

#include "kube/backoff.hpp"
#include "kube/objects.hpp"

namespace ambient::kube {

// -- inputs -----------------------------------------------------------------------------------

/// One object of a LIST page, decoded with the page.
struct listed_object {
  std::string key; ///< "namespace/name" (or "name" for cluster-scoped objects)
  std::string resource_version;
  /// The object; empty when it did not decode (its key and version did): the change is handed on
  /// without it, and the owner forgets the key.
  std::optional<any_object> object;
};

/// One LIST response page.
struct list_page {
  std::string resource_version;
  std::string continue_token;
  std::vector<listed_object> items;
};

/// Why a request failed.
enum class failure_kind {
  expired,      ///< 410 Gone / Expired: the resource version is too old
  throttled,    ///< 429
  server,       ///< 5xx
  connection,   ///< connect, TLS or reset
  unauthorized, ///< 401/403
  malformed,    ///< a response or event that does not decode
  watch_silent, ///< the watch went quiet past its deadline
  not_served    ///< 404 on a watch: the resource type went away (its CRD was removed)
};

/// Returns a short name for logs and metric labels ("expired", "throttled", ...).
const char* to_string(failure_kind k);

// -- outputs ----------------------------------------------------------------------------------

/// Ask the transport to LIST.
struct do_list {
  std::string resource_version; ///< "0" for the first list, "" after 410, else the last seen
  size_t limit = 0;             ///< 0: unpaged
  std::string continue_token;
};

/// Ask the transport to WATCH.
struct do_watch {
  std::string resource_version;
  int timeout_seconds = 300;
};

/// Ask the owner to call on_timer() after a delay.
struct do_wait {
  std::chrono::milliseconds delay;
};

using reflector_action = std::variant<do_list, do_watch, do_wait>;

/// What the reflector wants after an input: deltas to hand on, and the next request (if any).
struct reflector_step {
  std::vector<change> deltas; ///< a deleted change without object is a tombstone
  std::optional<reflector_action> next;
  bool synced_now = false; ///< the first complete list just finished
};

/// Settings, with client-go's defaults.
struct reflector_config {
  size_t page_size = 500;
  std::chrono::seconds min_watch_timeout{300};
  std::chrono::seconds max_watch_timeout{600};
  /// A watch with no event or bookmark for this long is treated as dead.
  std::chrono::milliseconds idle_timeout{std::chrono::seconds{150}};
  backoff::params retry;
  /// Retries after the API server could not be reached at all (connection refused, reset, TLS
  /// handshake failed). Not client-go's: a refused connection costs the server nothing, and an
  /// API server that comes back must not wait out a 30 s backoff, so these retry within 750 ms
  /// (100 ms doubling to 500 ms, jitter 0.5). Answers from the server (5xx, 429) keep `retry`.
  backoff::params connect_retry{std::chrono::milliseconds{100}, std::chrono::milliseconds{500}, 2.0,
                                0.5, std::chrono::milliseconds{120'000}};
  /// How often a resource type the server does not serve (LIST answered 404: a CRD such as the
  /// Gateway API's not installed) is listed again, to notice it being installed.
  std::chrono::milliseconds not_served_recheck{std::chrono::seconds{30}};
};

/// client-go's reflector as a pure state machine: LIST (first at resource version "0", or at the
/// version an earlier reflector reached (resume_from); relists at the last version, unpaged, or
/// from "" and paged after a 410), then WATCH from the
/// list's version with bookmarks and a randomized timeout; relist on 410 emitting tombstones for
/// keys that vanished; back off with jitter on failures; treat a silent watch as dead. It keeps
/// only key → resource version, never objects. Every method takes the time (and randomness) as
/// input and returns what to do; it performs no I/O.
class reflector {
public:
  using time_point = std::chrono::steady_clock::time_point;

  explicit reflector(reflector_config cfg = {});

  /// The first request.
  reflector_step start(time_point now);
  /// A LIST page arrived.
  reflector_step on_list_page(list_page page, time_point now, double random01);
  /// An ADDED, MODIFIED or DELETED watch event arrived (added and modified are told apart by
  /// what the reflector knows, not by the event's type).
  reflector_step on_event(change ev, time_point now);
  /// A BOOKMARK arrived: the collection has reached `resource_version`.
  reflector_step on_bookmark(std::string resource_version, time_point now);
  /// The watch stream ended cleanly (server timeout): watch again from the last version.
  reflector_step on_watch_end(time_point now, double random01);
  /// A request failed or the stream carried an error.
  reflector_step on_failure(failure_kind why, time_point now, double random01);
  /// The LIST was answered 404: the server does not serve this resource type (a CRD that is not
  /// installed, or was removed). istiod starts such informers only once the CRD exists; here the
  /// collection counts as empty: every known key gets a tombstone, the reflector is synced (a
  /// cluster without the Gateway API still syncs), and it lists again after
  /// `not_served_recheck`. Not a failure: no backoff grows.
  reflector_step on_not_served(time_point now);
  /// A do_wait elapsed.
  reflector_step on_timer(time_point now, double random01);
  /// Checks the watch's liveness; returns a failure step when it went silent past its deadline.
  std::optional<reflector_step> check_liveness(time_point now, double random01);

  /// Takes a key as known before the first list: one the owner still holds from an earlier
  /// reflector of the same collection (client-go's knownObjects, which outlive a restarted
  /// reflector). Its version is unknown, so the first list reports it updated if listed and
  /// deleted if not: deletions made while nobody watched are not lost.
  void assume_known(std::string key) {
    known_.try_emplace(std::move(key));
  }

  /// Takes the collection's version the keys assumed known reflect: the last one the earlier
  /// reflector had reached. The first list is then a relist at that version (unpaged: any state at
  /// least that new), as client-go's after a sync, instead of "0" (any state: a lagging watch
  /// cache may answer with one older than what the owner holds, and an object created in that lag
  /// would be reported deleted and then come back). A server that has not reached that version
  /// (504 "Too large resource version") or no longer has it (410) makes the reflector relist from
  /// "", as after any expiry. Call before start(); "" changes nothing.
  void resume_from(std::string resource_version) {
    last_rv_ = std::move(resource_version);
  }

  /// Drops a key the owner could not use (an undecodable object): a later delete of it is not
  /// reported, and a later valid version arrives as an add.
  void forget(const std::string& key) {
    known_.erase(key);
  }

  bool has_synced() const {
    return synced_;
  }
  const std::string& last_resource_version() const {
    return last_rv_;
  }
  size_t size() const {
    return known_.size();
  }
  /// True while a watch is open (between do_watch and its end or failure).
  bool watching() const {
    return phase_ == phase::watching;
  }
  uint64_t relists() const {
    return relists_;
  }
  /// True while the last LIST said the resource type is not served.
  bool not_served() const {
    return not_served_;
  }

private:
  enum class phase { idle, listing, watching, waiting };

  reflector_step begin_list(std::string rv, bool paged);
  reflector_step begin_watch(time_point now, double random01);

  reflector_config cfg_;
  backoff backoff_;
  backoff connect_backoff_;
  phase phase_ = phase::idle;
  bool synced_ = false;
  std::string last_rv_;
  bool rv_expired_ = false; ///< the last version is gone: relist from "" (paged)
  bool relist_after_wait_ = true;
  bool not_served_ = false;
  std::unordered_map<std::string, std::string> known_; ///< key → resource version
  std::unordered_set<std::string> seen_in_list_;
  do_list current_list_;
  time_point last_activity_{};
  uint64_t relists_ = 0;
};

} // namespace ambient::kube
