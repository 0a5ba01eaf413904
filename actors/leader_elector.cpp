#include "actors/leader_elector.hpp"

#include <caf/all.hpp>

#include "kube/decode.hpp"
#include "kube/resource_kind.hpp"
#include "messages/type_ids.hpp"

namespace ambient::actors {

namespace {

using clock_type = fleet::leader_election::clock;

double random01(leader_elector_state& st) {
  return std::uniform_real_distribution<double>{0, 1}(st.rng);
}

std::string lease_path(const leader_elector_config& c, bool item) {
  return item ? kube::object_path(kube::resource_kind::leases, c.namespace_, c.lease_name)
              : kube::collection_path(kube::resource_kind::leases, c.namespace_);
}

/// Carries out what the core asked for: tell followers, cancel, send, arm the timer.
void run(leader_elector_ptr self, fleet::election_step s) {
  auto& st = self->state;
  if (s.cancel)
    st.api->cancel();
  if (s.leading) {
    st.metrics.leading->set(*s.leading ? 1 : 0);
    if (*s.leading) {
      st.metrics.transitions->inc();
      st.log->info("leading: this replica ({}) holds lease {}/{}", st.cfg.identity,
                   st.cfg.namespace_, st.cfg.lease_name);
    } else if (st.releasing) {
      st.log->info("stopped leading: releasing lease {}/{} (shutdown)", st.cfg.namespace_,
                   st.cfg.lease_name);
    } else {
      st.log->warn("stopped leading: lease {}/{} not renewed in time or taken", st.cfg.namespace_,
                   st.cfg.lease_name);
    }
    for (const auto& f : st.cfg.followers)
      self->send(f, messages::leadership{*s.leading, st.cfg.identity});
  }
  ++st.timer_generation;
  if (s.op != fleet::lease_op::none) {
    st.pending = s.op;
    auto me = caf::actor_cast<caf::actor>(self);
    if (s.op == fleet::lease_op::get)
      st.api->start(me, "GET", lease_path(st.cfg, true));
    else
      st.api->start(
          me, s.op == fleet::lease_op::create ? "POST" : "PUT",
          lease_path(st.cfg, s.op == fleet::lease_op::update),
          fleet::lease_json(st.cfg.namespace_, st.cfg.lease_name, s.record, s.resource_version));
  }
  if (s.wait.count() > 0)
    self->delayed_send(self, s.wait, atom::timer_v, st.timer_generation);
}

/// One lease request ended: hand the core what it needs to know.
void on_response(leader_elector_ptr self, const kube::response_end& end) {
  auto& st = self->state;
  auto now = clock_type::now();
  auto op = st.pending;
  st.pending = fleet::lease_op::none;
  if (st.releasing) {
    // A renewal applied just before the release moves the version: read once more and release
    // what still names us, rather than leave the others waiting for the lease to expire.
    if (op == fleet::lease_op::update && end.status == 409 && !st.release_reread) {
      st.release_reread = true;
      return run(self, fleet::election_step{fleet::lease_op::get, {}, {}, {}, false, {}});
    }
    if (op == fleet::lease_op::get && end.status == 200) {
      auto decoded = kube::decode_as<kube::lease>(end.body);
      if (auto* l = std::get_if<kube::lease>(&decoded)) {
        auto again = st.core->release_again(*l, std::chrono::system_clock::now());
        if (again.op != fleet::lease_op::none)
          return run(self, std::move(again));
      }
    }
    if (end.status >= 200 && end.status < 300)
      st.log->info("released lease {}/{}", st.cfg.namespace_, st.cfg.lease_name);
    else
      st.log->warn("could not release lease {}/{} (HTTP {} {}); it expires by itself",
                   st.cfg.namespace_, st.cfg.lease_name, end.status, end.error);
    if (st.released.pending())
      st.released.deliver(caf::unit);
    return;
  }
  bool ok = end.status >= 200 && end.status < 300;
  if (!ok && st.core->leading())
    st.metrics.renew_failures->inc();
  if (op == fleet::lease_op::get) {
    if (end.status == 404)
      return run(self, st.core->on_get(now, std::chrono::system_clock::now(), std::nullopt, false,
                                       random01(st)));
    if (!ok) {
      st.log->debug("lease read failed: HTTP {} {}", end.status, end.error);
      return run(self, st.core->on_get(now, {}, std::nullopt, true, random01(st)));
    }
    auto decoded = kube::decode_as<kube::lease>(end.body);
    if (auto* err = std::get_if<kube::decode_error>(&decoded)) {
      st.log->warn("lease {}/{} is malformed: {}", st.cfg.namespace_, st.cfg.lease_name,
                   err->message);
      return run(self, st.core->on_get(now, {}, std::nullopt, true, random01(st)));
    }
    return run(self, st.core->on_get(now, std::chrono::system_clock::now(),
                                     std::get<kube::lease>(decoded), false, random01(st)));
  }
  if (ok) {
    auto decoded = kube::decode_as<kube::lease>(end.body);
    auto* l = std::get_if<kube::lease>(&decoded);
    return run(self, st.core->on_write(now, fleet::write_result::ok,
                                       l != nullptr ? l->meta.resource_version : std::string{},
                                       random01(st)));
  }
  auto r = end.status == 409 ? fleet::write_result::conflict : fleet::write_result::failed;
  if (r == fleet::write_result::failed)
    st.log->debug("lease write failed: HTTP {} {}", end.status, end.error);
  run(self, st.core->on_write(now, r, {}, random01(st)));
}

} // namespace

caf::behavior leader_elector_impl(leader_elector_ptr self, leader_elector_config cfg) {
  auto& st = self->state;
  st.cfg = std::move(cfg);
  st.log = telemetry::make_logger("leader_elector");
  st.api.emplace(st.cfg.transport, st.cfg.client);
  auto& r = *st.cfg.metrics;
  st.metrics.leading = &r.add_gauge("ambientd_leader_election_leading",
                                    "1 while this replica holds the leader Lease");
  st.metrics.transitions = &r.add_counter("ambientd_leader_election_transitions_total",
                                          "Times this replica became the leader");
  st.metrics.renew_failures
      = &r.add_counter("ambientd_leader_election_renew_failures_total",
                       "Lease reads or writes that failed while this replica was leading");
  st.core = std::make_unique<fleet::leader_election>(st.cfg.identity, st.cfg.timing);
  st.log->info("competing for lease {}/{} as {} (lease {} ms, renew deadline {} ms, retry {} ms)",
               st.cfg.namespace_, st.cfg.lease_name, st.cfg.identity,
               st.cfg.timing.lease_duration.count(), st.cfg.timing.renew_deadline.count(),
               st.cfg.timing.retry_period.count());
  run(self, st.core->start(clock_type::now()));
  return {
      [=](const messages::api_response& resp) {
        if (self->state.api->take(resp.ticket))
          on_response(self, resp.end);
      },
      [=](atom::timer, uint64_t generation) {
        auto& s = self->state;
        if (generation != s.timer_generation || s.releasing)
          return; // stale (delayed_send cannot be cancelled)
        run(self, s.core->on_timer(clock_type::now()));
      },
      [=](atom::release) -> caf::result<caf::unit_t> {
        auto& s = self->state;
        auto step = s.core->release(std::chrono::system_clock::now());
        if (step.op == fleet::lease_op::none)
          return caf::unit;
        s.releasing = true;
        s.released = self->make_response_promise<caf::unit_t>();
        run(self, std::move(step));
        return s.released;
      },
      [=](atom::status) { return self->state.core->leading(); },
  };
}

} // namespace ambient::actors
