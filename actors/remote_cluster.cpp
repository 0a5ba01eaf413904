#include "actors/remote_cluster.hpp"

#include <caf/all.hpp>

#include "actors/informer.hpp"
#include "messages/type_ids.hpp"
#include "telemetry/log.hpp"

namespace ambient::actors {

namespace {

void report(remote_cluster_ptr self, fleet::lifecycle state) {
  auto& st = self->state;
  messages::cluster_state_report r{st.cfg.cluster_id, st.cfg.generation, state,
                                   st.sync.last_error()};
  // The sink learns the lifecycle in order with the batches (it admits only synced clusters);
  // the parent keeps the registry and status.
  if (st.cfg.sink)
    self->send(st.cfg.sink, r);
  self->send(st.cfg.parent, std::move(r));
}

void spawn_informer(remote_cluster_ptr self, kube::resource_kind kind) {
  auto& st = self->state;
  informer_config ic;
  ic.kind = kind;
  ic.cluster_id = st.cfg.cluster_id;
  ic.transport = st.cfg.transport;
  ic.client = st.client;
  ic.parent = caf::actor_cast<caf::actor>(self);
  ic.reflector = st.cfg.reflector;
  ic.known_keys = st.keys[kind].snapshot();
  ic.known_resource_version = st.keys[kind].resource_version();
  auto child = self->spawn<caf::linked>(informer_impl, std::move(ic));
  st.informers[child.address()] = kind;
  auto& row = st.rows[kind];
  row = messages::informer_status_row{}; // a new informer: no health report yet
  row.resource = kube::to_string(kind);
  row.objects = static_cast<int64_t>(st.keys[kind].size());
  if (st.cfg.informer_spawned)
    st.cfg.informer_spawned(kind, child);
}

} // namespace

remote_cluster_state::~remote_cluster_state() {
  if (client != 0 && cfg.transport)
    cfg.transport->remove_client(client);
}

caf::behavior remote_cluster_impl(remote_cluster_ptr self, remote_cluster_config cfg) {
  auto& st = self->state;
  st.cfg = std::move(cfg);
  st.sync = fleet::cluster_sync{st.cfg.kinds};
  self->set_telemetry_cluster(st.cfg.cluster_id);
  st.client = st.cfg.transport->add_client(st.cfg.settings, st.cfg.limits);
  // Informers are linked: they die with us; their crashes reach us as exit messages.
  self->set_exit_handler([self](const caf::exit_msg& msg) {
    auto& s = self->state;
    auto it = s.informers.find(msg.source);
    if (it == s.informers.end()) {
      if (msg.reason)
        self->quit(msg.reason); // our own supervisor is telling us to stop
      return;
    }
    auto kind = it->second;
    s.informers.erase(it);
    auto log = telemetry::make_logger("remote_cluster", s.cfg.cluster_id);
    log->error("informer {} died ({}); restarting", kube::to_string(kind),
               caf::to_string(msg.reason));
    telemetry::default_actor_directory().restarted("informer", s.cfg.cluster_id);
    auto [b, _] = s.restart_backoff.try_emplace(kind, kube::backoff{s.cfg.informer_restart});
    auto delay = b->second.next(std::chrono::steady_clock::now(),
                                std::uniform_real_distribution<double>{0, 1}(s.rng));
    self->delayed_send(self, delay, atom::timer_v, static_cast<uint64_t>(kind));
  });
  for (auto kind : st.cfg.kinds)
    spawn_informer(self, kind);
  report(self, st.sync.state());
  self->delayed_send(self, st.cfg.sync_timeout, atom::tick_v);
  return {
      [=](const messages::informer_health& h) {
        auto& s = self->state;
        auto& row = s.rows[h.kind];
        row.synced = h.synced;
        row.healthy = h.healthy;
        row.last_error = h.last_error;
        row.relists = h.stats.relists;
        row.watch_restarts = h.stats.watch_restarts;
        row.errors = h.stats.errors;
        if (auto changed = s.sync.on_report(h.kind, h.synced, h.healthy, h.last_error))
          report(self, *changed);
      },
      [=](const messages::informer_batch_ptr& b) {
        auto& s = self->state;
        auto& keys = s.keys[b->kind];
        keys.apply(*b);
        s.rows[b->kind].objects = static_cast<int64_t>(keys.size());
        if (s.cfg.sink)
          self->send(s.cfg.sink, messages::cluster_batch{s.cfg.cluster_id, s.cfg.generation, b});
      },
      [=](atom::status) {
        messages::remote_cluster_status out;
        for (const auto& [kind, row] : self->state.rows)
          out.informers.push_back(row);
        return out;
      },
      [=](atom::tick) { // the sync deadline
        if (auto changed = self->state.sync.on_sync_deadline())
          report(self, *changed);
      },
      [=](atom::timer, uint64_t kind) { // an informer's restart is due
        spawn_informer(self, static_cast<kube::resource_kind>(kind));
      },
  };
}

} // namespace ambient::actors
