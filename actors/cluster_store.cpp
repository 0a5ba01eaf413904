#include "actors/cluster_store.hpp"

#include <malloc.h>

#include <algorithm>

#include <caf/all.hpp>

#include "messages/type_ids.hpp"
#include "telemetry/log.hpp"

namespace ambient::actors {

namespace {

void run_effects(cluster_store_ptr self, fleet::registry_effects effects) {
  auto& st = self->state;
  auto& log = st.log;
  for (auto& e : effects) {
    if (auto* start = std::get_if<fleet::start_cluster>(&e)) {
      auto settings = kube::to_connection_settings(start->config);
      if (auto* err = std::get_if<kube::kubeconfig_error>(&settings)) {
        st.registry->on_state(start->cluster_id, start->generation, fleet::lifecycle::failed,
                              err->message);
        log->warn("cluster {}: {}", start->cluster_id, err->message);
        continue;
      }
      remote_cluster_config rc;
      rc.cluster_id = start->cluster_id;
      rc.generation = start->generation;
      if (start->cluster_id == st.cfg.config_cluster_id)
        rc.kinds = fleet::config_cluster_resources();
      rc.settings = std::get<kube::connection_settings>(std::move(settings));
      if (st.cfg.token_reviewer)
        self->send(st.cfg.token_reviewer,
                   messages::review_cluster_up{start->cluster_id, start->generation, rc.settings});
      rc.transport = st.cfg.transport;
      rc.parent = caf::actor_cast<caf::actor>(self);
      rc.sink = st.cfg.sink;
      rc.sync_timeout = st.cfg.sync_timeout;
      rc.reflector = st.cfg.reflector;
      auto child = self->spawn<caf::monitored>(remote_cluster_impl, std::move(rc));
      st.running[{start->cluster_id, start->generation}] = child;
      st.by_address[child.address()] = {start->cluster_id, start->generation};
      log->info("cluster {} started (generation {})", start->cluster_id, start->generation);
      if (st.cfg.cluster_spawned)
        st.cfg.cluster_spawned(start->cluster_id, start->generation, child);
    } else if (auto* stop = std::get_if<fleet::stop_cluster>(&e)) {
      auto it = st.running.find({stop->cluster_id, stop->generation});
      if (it != st.running.end()) {
        st.by_address.erase(it->second.address());
        self->demonitor(it->second);
        self->send_exit(it->second, caf::exit_reason::user_shutdown);
        st.running.erase(it);
        log->info("cluster {} stopped (generation {})", stop->cluster_id, stop->generation);
        if (st.cfg.token_reviewer)
          self->send(st.cfg.token_reviewer,
                     messages::review_cluster_down{stop->cluster_id, stop->generation});
      }
    } else if (auto* gone = std::get_if<fleet::withdraw_cluster>(&e)) {
      if (st.cfg.sink)
        self->send(st.cfg.sink, messages::cluster_withdrawn{gone->cluster_id, gone->generation});
    } else if (auto* later = std::get_if<fleet::restart_later>(&e)) {
      telemetry::default_actor_directory().restarted("remote_cluster", later->cluster_id);
      self->delayed_send(self, later->delay, atom::timer_v, later->cluster_id, later->generation);
    } else if (auto* n = std::get_if<fleet::notice>(&e)) {
      if (n->warning)
        log->warn("{}", n->message);
      else
        log->info("{}", n->message);
    }
  }
}

/// Queues the staleness tick while a cluster is stale: in a second (the age gauges' resolution),
/// or when the next cluster becomes due under the limit if that is sooner.
void schedule_stale_tick(cluster_store_ptr self) {
  auto& st = self->state;
  if (!st.staleness->any_stale())
    return;
  auto now = std::chrono::steady_clock::now();
  auto at = now + std::chrono::seconds{1};
  if (st.cfg.stale_limit)
    if (auto due = st.staleness->next_due(*st.cfg.stale_limit))
      at = std::clamp(*due, now, at);
  if (st.stale_tick_at && *st.stale_tick_at <= at)
    return;
  st.stale_tick_at = at;
  self->delayed_send(self, std::chrono::ceil<std::chrono::milliseconds>(at - now), atom::tick_v,
                     ++st.stale_tick);
}

/// Suspends the clusters stale past the limit and brings the age gauges up to date.
void check_staleness(cluster_store_ptr self) {
  auto& st = self->state;
  auto now = std::chrono::steady_clock::now();
  if (st.cfg.stale_limit)
    for (const auto& id : st.staleness->due(now, *st.cfg.stale_limit)) {
      const auto& rec = st.registry->clusters().at(id);
      st.log->warn("cluster {}: data not current for over {} ms ({}); its workloads are withdrawn "
                   "until it syncs again",
                   id, st.cfg.stale_limit->count(), fleet::to_string(rec.state));
      if (st.cfg.sink)
        self->send(st.cfg.sink, messages::cluster_suspended{id, rec.generation});
    }
  st.metrics->update_staleness(*st.staleness, now);
  schedule_stale_tick(self);
}

/// Stamps `since` for every cluster whose state or generation changed, and forgets removed ones.
void restamp(cluster_store_ptr self) {
  auto& st = self->state;
  auto now = std::chrono::system_clock::now();
  const auto& clusters = st.registry->clusters();
  st.metrics->update(clusters);
  // A suspended cluster that is current again: its newest incarnation's `synced` reaches the sink
  // once more, in case the suspension overtook the sink's own copy of it.
  for (const auto& id : st.staleness->update(clusters, std::chrono::steady_clock::now())) {
    const auto& rec = clusters.at(id);
    st.log->info("cluster {}: current again (generation {}); its workloads are back", id,
                 rec.generation);
    if (st.cfg.sink)
      self->send(st.cfg.sink,
                 messages::cluster_state_report{id, rec.generation, rec.state, rec.last_error});
  }
  check_staleness(self);
  std::erase_if(st.stamps, [&](const auto& kv) { return !clusters.contains(kv.first); });
  for (const auto& [id, rec] : clusters) {
    auto [it, added]
        = st.stamps.try_emplace(id, cluster_store_state::stamp{rec.state, rec.generation, now});
    if (added || it->second.state != rec.state || it->second.generation != rec.generation) {
      if (added || it->second.state != rec.state)
        st.log->info("cluster {}: {}{}{} (generation {})", id, fleet::to_string(rec.state),
                     rec.last_error.empty() ? "" : ": ", rec.last_error, rec.generation);
      it->second = {rec.state, rec.generation, now};
    }
  }
}

messages::cluster_store_status base_status(cluster_store_ptr self) {
  auto& st = self->state;
  messages::cluster_store_status out;
  auto now = std::chrono::steady_clock::now();
  for (const auto& [id, rec] : st.registry->clusters()) {
    messages::cluster_status_row row;
    row.cluster_id = id;
    row.secret = rec.secret;
    row.sync_status = fleet::istioctl_status(rec.state);
    row.state = rec.state;
    row.last_error = rec.last_error;
    row.restarts = rec.restarts;
    row.generation = rec.generation;
    if (auto s = st.stamps.find(id); s != st.stamps.end())
      row.since = s->second.since;
    if (auto age = st.staleness->age(id, now))
      row.stale_for = std::chrono::duration_cast<std::chrono::milliseconds>(*age);
    row.suspended = st.staleness->suspended(id);
    out.clusters.push_back(std::move(row));
  }
  out.conflicts = st.registry->conflicts();
  return out;
}

} // namespace

cluster_store_state::~cluster_store_state() {
  for (auto& [key, child] : running)
    caf::anon_send_exit(child, caf::exit_reason::user_shutdown);
}

caf::behavior cluster_store_impl(cluster_store_ptr self, cluster_store_config cfg) {
  auto& st = self->state;
  st.cfg = std::move(cfg);
  st.log = telemetry::make_logger("cluster_store", st.cfg.config_cluster_id);
  st.registry = std::make_unique<fleet::cluster_registry>(st.cfg.config_cluster_id, st.cfg.policy,
                                                          st.cfg.restart_backoff);
  st.metrics = std::make_unique<fleet::cluster_metrics>(*st.cfg.metrics, st.cfg.config_cluster_id);
  st.staleness = std::make_unique<fleet::staleness>(st.cfg.config_cluster_id);
  self->set_down_handler([self](const caf::down_msg& msg) {
    auto& s = self->state;
    auto it = s.by_address.find(msg.source);
    if (it == s.by_address.end())
      return;
    auto [id, gen] = it->second;
    s.by_address.erase(it);
    s.running.erase({id, gen});
    run_effects(self, s.registry->on_cluster_died(
                          id, gen, msg.reason ? caf::to_string(msg.reason) : "exited",
                          std::chrono::steady_clock::now(),
                          std::uniform_real_distribution<double>{0, 1}(s.rng)));
    restamp(self);
  });
  if (st.cfg.config_cluster)
    run_effects(self, st.registry->add_config_cluster(*st.cfg.config_cluster));
  restamp(self);
  return {
      [=](const messages::remote_secret_update& u) {
        run_effects(self, self->state.registry->on_secret(u.secret, u.entries));
        restamp(self);
      },
      [=](const messages::remote_secret_deleted& d) {
        run_effects(self, self->state.registry->on_secret_deleted(d.secret));
        restamp(self);
      },
      [=](const messages::cluster_state_report& r) {
        self->state.registry->on_state(r.cluster_id, r.generation, r.state, r.last_error);
        restamp(self);
        // A sync frees its LIST pages (hundreds of MB for a large cluster): glibc keeps freed
        // memory in its arenas unless asked, so ask once the batches have been digested.
        if (r.state == fleet::lifecycle::synced && !self->state.trim_pending) {
          self->state.trim_pending = true;
          self->delayed_send(self, std::chrono::seconds{1}, atom::trim_v);
        }
      },
      [=](atom::tick, uint64_t tick) {
        if (tick != self->state.stale_tick)
          return; // superseded by an earlier one
        self->state.stale_tick_at.reset();
        check_staleness(self);
      },
      [=](atom::trim) {
        self->state.trim_pending = false;
        ::malloc_trim(0);
      },
      [=](atom::timer, const std::string& cluster_id, uint64_t generation) {
        run_effects(self, self->state.registry->on_restart_due(cluster_id, generation));
        restamp(self);
      },
      [=](atom::status) -> caf::result<messages::cluster_store_status> {
        // The registry's rows now; each running cluster adds its informer rows (a cluster that
        // does not answer within a second is shown without them rather than holding up the rest).
        auto out = std::make_shared<messages::cluster_store_status>(base_status(self));
        auto& running = self->state.running;
        if (running.empty())
          return std::move(*out);
        auto promise = self->make_response_promise<messages::cluster_store_status>();
        auto pending = std::make_shared<size_t>(running.size());
        for (const auto& [key, child] : running) {
          auto finish = [out, pending, promise]() mutable {
            if (--*pending == 0)
              promise.deliver(std::move(*out));
          };
          self->request(child, std::chrono::seconds{1}, atom::status_v)
              .then(
                  [out, id = key.first, gen = key.second,
                   finish](const messages::remote_cluster_status& rs) mutable {
                    for (auto& row : out->clusters)
                      if (row.cluster_id == id && row.generation == gen)
                        row.informers = rs.informers;
                    finish();
                  },
                  [finish](const caf::error&) mutable { finish(); });
        }
        return promise;
      },
  };
}

} // namespace ambient::actors
