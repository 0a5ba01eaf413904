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
  auto& core = *st.core;
  if (fx.cancel) {
    if (st.request != 0)
      st.cfg.transport->cancel(st.request);
    st.request = 0;
    ++st.ticket; // results of the abandoned request are ignored from now on
  }
  if (!fx.changes.empty()) {
    auto batch = std::make_shared<messages::informer_batch>();
    batch->kind = st.cfg.kind;
    batch->resource_version = core.resource_version();
    batch->changes = std::move(fx.changes);
    self->send(st.cfg.parent, messages::informer_batch_ptr{std::move(batch)});
  }
  const auto& now = core.stats();
  if (fx.health_changed)
    self->send(st.cfg.parent, messages::informer_health{st.cfg.kind, core.synced(), core.healthy(),
                                                        core.last_error(), now});
  if (!fx.warnings.empty() || !fx.notes.empty() || !fx.failures.empty()) {
    auto log = telemetry::make_logger("informer", st.cfg.cluster_id);
    for (const auto& line : fx.failures)
      log->debug("{}", line);
    for (const auto& line : fx.warnings)
      log->warn("{}", line);
    for (const auto& line : fx.notes)
      log->info("{}", line);
  }
  auto self_handle = caf::actor_cast<caf::actor>(self);
  if (fx.request) {
    auto ticket = ++st.ticket;
    std::function<void(std::string_view)> on_data;
    if (fx.request->watch)
      on_data = [self_handle, ticket](std::string_view chunk) {
        caf::anon_send(self_handle, messages::watch_data{ticket, std::string{chunk}});
      };
    bool watch = fx.request->watch;
    st.request = st.cfg.transport->start(
        st.cfg.client, "GET", fx.request->path, {}, std::move(on_data),
        [self_handle, ticket, watch](kube::response_end end) {
          if (watch)
            caf::anon_send(self_handle, messages::watch_end{ticket, std::move(end)});
          else
            caf::anon_send(self_handle, messages::list_result{ticket, std::move(end)});
        });
  }
  if (fx.wait)
    self->delayed_send(self, *fx.wait, atom::timer_v, ++st.timer_generation);
  auto& m = st.metrics;
  auto& was = st.counted;
  m.added->inc(now.events_added - was.events_added);
  m.modified->inc(now.events_modified - was.events_modified);
  m.deleted->inc(now.events_deleted - was.events_deleted);
  m.relists->inc(now.relists - was.relists);
  m.watch_restarts->inc(now.watch_restarts - was.watch_restarts);
  m.errors->inc(now.errors - was.errors);
  m.decode_errors->inc(now.decode_errors - was.decode_errors);
  was = now;
}

/// Takes the end of the request in flight: nothing is open any more.
bool ends_current(informer_actor_ptr self, uint64_t ticket) {
  auto& st = self->state;
  if (ticket != st.ticket)
    return false;
  st.request = 0;
  ++st.ticket;
  return true;
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

informer_state::~informer_state() {
  if (request != 0 && cfg.transport)
    cfg.transport->cancel(request);
}

namespace {

/// The counters of one (cluster, resource) informer in the process-wide registry.
informer_metrics make_informer_metrics(const informer_config& cfg) {
  auto& r = telemetry::default_registry();
  telemetry::label_set labels{{"cluster", cfg.cluster_id},
                              {"resource", std::string{kube::to_string(cfg.kind)}}};
  auto events = [&](const char* type) {
    auto l = labels;
    l.emplace_back("type", type);
    return &r.add_counter("ambientd_informer_events_total",
                          "Watch events an informer received, by type", std::move(l));
  };
  informer_metrics m;
  m.added = events("added");
  m.modified = events("modified");
  m.deleted = events("deleted");
  m.relists = &r.add_counter("ambientd_informer_relists_total",
                             "Full LISTs an informer made after its first", labels);
  m.watch_restarts = &r.add_counter("ambientd_informer_watch_restarts_total",
                                    "Watches that ended normally and were reopened", labels);
  m.errors = &r.add_counter("ambientd_informer_errors_total",
                            "Failed LIST or WATCH requests (each is retried with backoff)", labels);
  m.decode_errors = &r.add_counter("ambientd_informer_decode_errors_total",
                                   "Objects or watch events that could not be decoded", labels);
  return m;
}

} // namespace

caf::behavior informer_impl(informer_actor_ptr self, informer_config cfg) {
  auto& st = self->state;
  st.cfg = std::move(cfg);
  self->set_telemetry_cluster(st.cfg.cluster_id);
  st.metrics = make_informer_metrics(st.cfg);
  st.core.emplace(kube::informer_settings{st.cfg.kind, st.cfg.namespace_, st.cfg.label_selector,
                                          st.cfg.reflector, st.cfg.limits},
                  std::move(st.cfg.known_keys), std::move(st.cfg.known_resource_version),
                  std::random_device{}());
  st.cfg.known_keys = {}; // the core has them now
  perform(self, st.core->start(steady::now()));
  self->delayed_send(self, st.cfg.liveness_interval, atom::tick_v);
  return {
      [=](const messages::list_result& r) {
        if (ends_current(self, r.request))
          perform(self, self->state.core->on_list(r.end, steady::now()));
      },
      [=](const messages::watch_data& d) {
        if (d.request == self->state.ticket)
          perform(self, self->state.core->on_watch_bytes(d.bytes, steady::now()));
      },
      [=](const messages::watch_end& e) {
        if (ends_current(self, e.request))
          perform(self, self->state.core->on_watch_end(e.end, steady::now()));
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
