#include "fleet/leader_election.hpp"

#include <algorithm>
#include <cstdio>
#include <ctime>

#include "base/json_writer.hpp"

namespace ambient::fleet {

namespace {

std::chrono::milliseconds until(leader_election::clock::time_point at,
                                leader_election::clock::time_point now) {
  auto d = std::chrono::duration_cast<std::chrono::milliseconds>(at - now);
  return std::max(d, std::chrono::milliseconds{1});
}

} // namespace

std::string validate(const election_timing& t) {
  using std::chrono::milliseconds;
  if (t.lease_duration <= milliseconds{0} || t.renew_deadline <= milliseconds{0}
      || t.retry_period <= milliseconds{0})
    return "lease duration, renew deadline and retry period must all be positive";
  if (t.lease_duration.count() % 1000 != 0)
    return "lease duration must be whole seconds (a Lease stores leaseDurationSeconds)";
  if (t.lease_duration <= t.renew_deadline)
    return "lease duration must be greater than the renew deadline";
  if (t.renew_deadline.count() * 10 <= t.retry_period.count() * 12)
    return "renew deadline must be greater than 1.2 × retry period (client-go's JitterFactor)";
  return {};
}

lease_record record_of(const kube::lease& l) {
  return {l.holder_identity, l.lease_duration_seconds, l.acquire_time, l.renew_time,
          l.lease_transitions};
}

std::string lease_json(const std::string& namespace_, const std::string& name,
                       const lease_record& r, const std::string& resource_version) {
  base::json_writer w;
  w.begin_object()
      .member("apiVersion", "coordination.k8s.io/v1")
      .member("kind", "Lease")
      .key("metadata")
      .begin_object()
      .member("name", name)
      .member("namespace", namespace_);
  if (!resource_version.empty())
    w.member("resourceVersion", resource_version);
  w.end_object().key("spec").begin_object();
  w.member("holderIdentity", r.holder).member("leaseDurationSeconds", r.duration_seconds);
  if (!r.acquire_time.empty())
    w.member("acquireTime", r.acquire_time);
  if (!r.renew_time.empty())
    w.member("renewTime", r.renew_time);
  w.member("leaseTransitions", r.transitions).end_object().end_object();
  return w.take();
}

std::string micro_time(std::chrono::system_clock::time_point t) {
  auto us = std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
  auto secs = static_cast<std::time_t>(us / 1'000'000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[40];
  auto n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  std::snprintf(buf + n, sizeof buf - n, ".%06lldZ", static_cast<long long>(us % 1'000'000));
  return buf;
}

leader_election::leader_election(std::string identity, election_timing timing)
  : identity_(std::move(identity)), timing_(timing) {}

election_step leader_election::start(clock::time_point now) {
  return read(now);
}

election_step leader_election::read(clock::time_point now) {
  in_flight_ = true;
  election_step s;
  s.op = lease_op::get;
  if (leading_)
    s.wait = until(renewed_ + timing_.renew_deadline, now); // the deadline while in flight
  return s;
}

election_step leader_election::stop_leading() {
  leading_ = false;
  election_step s;
  s.leading = false;
  return s;
}

election_step leader_election::retry_later(clock::time_point now, double random01) {
  election_step s;
  if (leading_ && now >= renewed_ + timing_.renew_deadline)
    s = stop_leading();
  // The leader renews every RetryPeriod. Candidates jitter theirs so replicas started together
  // do not all ask at once, within [RetryPeriod/2, RetryPeriod] (client-go waits RetryPeriod to
  // 2.2 × RetryPeriod): a released lease is then taken within one RetryPeriod.
  auto period
      = leading_ ? timing_.retry_period
                 : std::chrono::milliseconds{static_cast<int64_t>(
                     (0.5 + 0.5 * random01) * static_cast<double>(timing_.retry_period.count()))};
  next_try_ = now + period;
  auto at = leading_ ? std::min(next_try_, renewed_ + timing_.renew_deadline) : next_try_;
  s.wait = until(at, now);
  return s;
}

election_step leader_election::on_get(clock::time_point now,
                                      std::chrono::system_clock::time_point wall,
                                      const std::optional<kube::lease>& got, bool failed,
                                      double random01) {
  in_flight_ = false;
  if (failed)
    return retry_later(now, random01);
  auto wall_text = micro_time(wall);
  lease_record next{identity_, static_cast<int32_t>(timing_.lease_duration.count() / 1000),
                    wall_text, wall_text, 0};
  election_step s;
  if (!got) {
    s.op = lease_op::create;
  } else {
    auto current = record_of(*got);
    const auto& rv = got->meta.resource_version;
    if (current != observed_ || rv != observed_rv_) {
      observed_ = current;
      observed_rv_ = rv;
      observed_time_ = now; // by our clock: the record's own times are another machine's
    }
    bool valid = observed_time_ + timing_.lease_duration > now;
    if (!current.holder.empty() && current.holder != identity_ && valid) {
      if (leading_) { // someone else holds it: we are not the leader, whatever we thought
        leading_ = false;
        auto later = retry_later(now, random01);
        later.leading = false;
        return later;
      }
      auto later = retry_later(now, random01);
      // Try again the moment it would expire, if that comes first: a dead leader is then
      // replaced within LeaseDuration + RetryPeriod of its last renewal being written.
      auto expiry = observed_time_ + timing_.lease_duration;
      if (expiry < next_try_) {
        next_try_ = expiry;
        later.wait = until(expiry, now);
      }
      return later;
    }
    if (current.holder == identity_) { // a renewal keeps the term's acquire time and count
      next.acquire_time = current.acquire_time;
      next.transitions = current.transitions;
    } else {
      next.transitions = current.transitions + 1;
    }
    s.op = lease_op::update;
    s.resource_version = rv;
  }
  s.record = next;
  writing_ = next;
  in_flight_ = true;
  if (leading_)
    s.wait = until(renewed_ + timing_.renew_deadline, now);
  return s;
}

election_step leader_election::on_write(clock::time_point now, write_result r,
                                        const std::string& resource_version, double random01) {
  in_flight_ = false;
  if (r == write_result::conflict) { // someone wrote since we read: read again, at once
    if (leading_ && now >= renewed_ + timing_.renew_deadline) {
      auto s = stop_leading();
      auto again = read(now);
      again.leading = s.leading;
      return again;
    }
    return read(now);
  }
  if (r == write_result::failed)
    return retry_later(now, random01);
  observed_ = writing_;
  observed_rv_ = resource_version;
  observed_time_ = now;
  renewed_ = now;
  bool became = !leading_;
  leading_ = true;
  auto s = retry_later(now, random01);
  if (became)
    s.leading = true;
  return s;
}

election_step leader_election::on_timer(clock::time_point now) {
  if (leading_ && now >= renewed_ + timing_.renew_deadline) {
    // Stop at once, before the lease can expire for the others; the request in flight (if any)
    // is abandoned, and we compete again as a candidate.
    auto s = stop_leading();
    s.cancel = in_flight_;
    in_flight_ = false;
    next_try_ = now + timing_.retry_period;
    s.wait = until(next_try_, now);
    return s;
  }
  if (in_flight_) {
    election_step s;
    if (leading_)
      s.wait = until(renewed_ + timing_.renew_deadline, now);
    return s;
  }
  if (now >= next_try_)
    return read(now);
  election_step s;
  auto at = leading_ ? std::min(next_try_, renewed_ + timing_.renew_deadline) : next_try_;
  s.wait = until(at, now);
  return s;
}

election_step leader_election::release(std::chrono::system_clock::time_point wall) {
  if (!leading_)
    return {};
  auto s = stop_leading();
  s.cancel = in_flight_;
  in_flight_ = true;
  auto wall_text = micro_time(wall);
  s.op = lease_op::update;
  s.record = {"", 1, wall_text, wall_text, observed_.transitions};
  s.resource_version = observed_rv_;
  writing_ = s.record;
  return s;
}

election_step leader_election::release_again(const kube::lease& current,
                                             std::chrono::system_clock::time_point wall) {
  if (current.holder_identity != identity_)
    return {};
  auto wall_text = micro_time(wall);
  election_step s;
  s.op = lease_op::update;
  s.record = {"", 1, wall_text, wall_text, current.lease_transitions};
  s.resource_version = current.meta.resource_version;
  writing_ = s.record;
  return s;
}

} // namespace ambient::fleet
