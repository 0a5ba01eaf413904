#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "kube/objects.hpp"

namespace ambient::fleet {

/// client-go's leader-election timings (istiod's defaults).
struct election_timing {
  /// How long a lease stays valid after its holder was last seen renewing it.
  std::chrono::milliseconds lease_duration{30'000};
  /// How long the leader keeps trying to renew before it gives up leading.
  std::chrono::milliseconds renew_deadline{15'000};
  /// How often candidates try to acquire and the leader renews.
  std::chrono::milliseconds retry_period{7'500};
};

/// Why `t` is unusable, or "" when it is fine: client-go requires LeaseDuration > RenewDeadline >
/// 1.2 × RetryPeriod (JitterFactor), all positive, and the lease duration in whole seconds.
std::string validate(const election_timing& t);

/// What a Lease's spec holds, as leader election reads and writes it.
struct lease_record {
  std::string holder; ///< "" when released
  int32_t duration_seconds = 0;
  std::string acquire_time, renew_time; ///< MicroTime (RFC 3339, microseconds)
  int32_t transitions = 0;
  bool operator==(const lease_record&) const = default;
};

/// The record of a decoded Lease.
lease_record record_of(const kube::lease& l);

/// The Lease `namespace_/name` as JSON for a create (empty `resource_version`) or for an update
/// that must apply to exactly the version read (else the API server answers 409).
std::string lease_json(const std::string& namespace_, const std::string& name,
                       const lease_record& r, const std::string& resource_version);

/// A time as a Kubernetes MicroTime: "2026-11-27T08:00:00.123456Z".
std::string micro_time(std::chrono::system_clock::time_point t);

/// The request the elector wants sent next, if any.
enum class lease_op { none, get, create, update };

/// What the shell does after a call: send `op` (with `record` and `resource_version`), tell the
/// leader-only work when `leading` is set, cancel the request in flight when `cancel`, and call
/// on_timer() after `wait` when no request is in flight.
struct election_step {
  lease_op op = lease_op::none;
  lease_record record;
  std::string resource_version;
  std::optional<bool> leading;
  bool cancel = false;
  std::chrono::milliseconds wait{0};
};

/// How a create or update ended.
enum class write_result { ok, conflict, failed };

/// client-go's LeaderElector (tools/leaderelection) as a pure state machine, one request at a
/// time:
/// - candidates GET the lease every RetryPeriod, jittered down to half of it (client-go jitters
///   up to 2.2×; this way a released lease is taken within one RetryPeriod); a missing lease is
///   created; a
///   lease held by another identity is taken over only once it has not changed for LeaseDuration
///   *by our own clock* (observed time, not the record's renewTime: no clock-skew trust);
/// - a taken-over lease gets transitions + 1 and a new acquireTime; a renewal keeps both;
/// - every write is a full update at the resourceVersion read: a 409 means someone else wrote,
///   so the lease is read again, never blindly overwritten;
/// - the leader renews every RetryPeriod; when no renewal has succeeded for RenewDeadline it
///   stops leading at once (and abandons the request in flight), before its lease can expire
///   for the others (RenewDeadline < LeaseDuration);
/// - release() on shutdown writes an empty holder with a 1 s duration so another replica takes
///   over at its next try.
/// Times are inputs: `now` (steady) for every decision, `wall` only for the times written.
class leader_election {
public:
  using clock = std::chrono::steady_clock;

  leader_election(std::string identity, election_timing timing);

  /// The first step: read the lease.
  election_step start(clock::time_point now);

  /// The GET answered: the lease, nullopt for 404 Not Found; `failed` for anything else.
  election_step on_get(clock::time_point now, std::chrono::system_clock::time_point wall,
                       const std::optional<kube::lease>& got, bool failed, double random01);

  /// The create or update answered; `resource_version` is the stored lease's on success.
  election_step on_write(clock::time_point now, write_result r, const std::string& resource_version,
                         double random01);

  /// A timer elapsed: the retry is due, or the renew deadline passed.
  election_step on_timer(clock::time_point now);

  /// Gives the lease up (shutdown): an update when leading, else nothing to send.
  election_step release(std::chrono::system_clock::time_point wall);

  /// After a release write met a conflict (a renewal already applied moved the version): the
  /// lease as read again is released when it still names us, else there is nothing to send.
  election_step release_again(const kube::lease& current,
                              std::chrono::system_clock::time_point wall);

  bool leading() const {
    return leading_;
  }
  const std::string& identity() const {
    return identity_;
  }
  /// The holder of the lease as last read ("" when free or unknown).
  const std::string& observed_holder() const {
    return observed_.holder;
  }

private:
  election_step retry_later(clock::time_point now, double random01);
  election_step read(clock::time_point now);
  election_step stop_leading();

  std::string identity_;
  election_timing timing_;
  bool leading_ = false;
  bool in_flight_ = false;
  lease_record observed_;
  std::string observed_rv_;
  clock::time_point observed_time_{};
  /// When the leader last renewed successfully (its renew deadline counts from there).
  clock::time_point renewed_{};
  clock::time_point next_try_{};
  lease_record writing_;
};

} // namespace ambient::fleet
