#include "actors/informer.hpp"

#include <random>

#include <caf/all.hpp>

#include "messages/type_ids.hpp"
#include "telemetry/log.hpp"

namespace ambient::actors {

namespace {

using steady = std::chrono::steady_clock;

/// Does what the core asked for, in order, and brings the metrics up to date.
void perform(informer_actor_ptr self, kube::informer_effects fx) {
  auto& st = self->state;
  if (fx.cancel)
    st.api->cancel();
  if (!fx.changes.empty()) {
    auto batch = std::make_shared<messages::informer_batch>();
    batch->kind = st.cfg.kind;
    batch->resource_version = st.core->resource_version();
    batch->changes = std::move(fx.changes);
    self->send(st.cfg.parent, messages::informer_batch_ptr{std::move(batch)});
  }
  const auto& stats = st.core->stats();
  if (fx.health_changed)
    self->send(st.cfg.parent,
               messages::informer_health{st.cfg.kind, st.core->synced(), st.core->healthy(),
                                         st.core->last_error(), stats});
  if (!fx.warnings.empty() || !fx.notes.empty() || !fx.failures.empty()) {
    auto log = telemetry::make_logger("informer", st.cfg.cluster_id);
    for (const auto& line : fx.failures)
      log->debug("{}", line);
    for (const auto& line : fx.warnings)
      log->warn("{}", line);
    for (const auto& line : fx.notes)
      log->info("{}", line);
  }
  if (fx.request)
    st.api->start(caf::actor_cast<caf::actor>(self), "GET", std::move(fx.request->path), {},
                  fx.request->watch);
  if (fx.wait)
    self->delayed_send(self, *fx.wait, atom::timer_v, ++st.timer_generation);
  st.metrics->count(stats);
}

} // namespace

void informer_keys::apply(const messages::informer_batch& batch) {
  // "" too: after a resource type stopped being served, nothing from before may be resumed from.
  resource_version_ = batch.resource_version;
  for (const auto& c : batch.changes) {
    if (c.type == messages::object_change::deleted)
      keys_.erase(c.key);
    else
      keys_.insert(c.key);
  }
}

caf::behavior informer_impl(informer_actor_ptr self, informer_config cfg) {
  auto& st = self->state;
  st.cfg = std::move(cfg);
  self->set_telemetry_cluster(st.cfg.cluster_id);
  st.metrics.emplace(telemetry::default_registry(), st.cfg.cluster_id, st.cfg.kind);
  st.api.emplace(st.cfg.transport, st.cfg.client);
  st.core.emplace(kube::informer_settings{st.cfg.kind, st.cfg.namespace_, st.cfg.label_selector,
                                          st.cfg.field_selector, st.cfg.reflector, st.cfg.limits},
                  std::move(st.cfg.known_keys), std::move(st.cfg.known_resource_version),
                  std::random_device{}());
  st.cfg.known_keys = {}; // the core has them now
  perform(self, st.core->start(steady::now()));
  self->delayed_send(self, st.cfg.liveness_interval, atom::tick_v);
  return {
      [=](const messages::api_response& r) {
        if (self->state.api->take(r.ticket))
          perform(self, self->state.core->on_end(r.end, steady::now()));
      },
      [=](const messages::watch_data& d) {
        if (self->state.api->current(d.ticket))
          perform(self, self->state.core->on_watch_bytes(d.bytes, steady::now()));
      },
      [=](atom::timer, uint64_t generation) {
        if (generation != self->state.timer_generation)
          return; // a stale timer (delayed_send cannot be cancelled)
        perform(self, self->state.core->on_timer(steady::now()));
      },
      [=](atom::tick) {
        perform(self, self->state.core->on_tick(steady::now()));
        self->delayed_send(self, self->state.cfg.liveness_interval, atom::tick_v);
      },
  };
}

} // namespace ambient::actors
