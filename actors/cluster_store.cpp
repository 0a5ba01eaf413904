#include "actors/cluster_store.hpp"

#include <caf/all.hpp>

#include "messages/type_ids.hpp"
#include "telemetry/log.hpp"

namespace ambient::actors {

namespace {

void run_effects(cluster_store_ptr self, kube::registry_effects effects) {
  auto& st = self->state;
  static auto log = telemetry::make_logger("cluster_store");
  for (auto& e : effects) {
    if (auto* start = std::get_if<kube::start_cluster>(&e)) {
      auto settings = kube::to_connection_settings(start->config);
      if (auto* err = std::get_if<kube::kubeconfig_error>(&settings)) {
        st.registry->on_state(start->cluster_id, start->generation, kube::lifecycle::failed,
                              err->message);
        log->warn("cluster {}: {}", start->cluster_id, err->message);
        continue;
      }
      remote_cluster_config rc;
      rc.cluster_id = start->cluster_id;
      rc.generation = start->generation;
      rc.settings = std::get<kube::connection_settings>(std::move(settings));
      rc.transport = st.cfg.transport;
      rc.parent = caf::actor_cast<caf::actor>(self);
      rc.sink = st.cfg.sink;
      rc.sync_timeout = st.cfg.sync_timeout;
      rc.reflector = st.cfg.reflector;
      auto child = self->spawn<caf::monitored>(remote_cluster_impl, std::move(rc));
      st.running[{start->cluster_id, start->generation}] = child;
      st.by_address[child.address()] = {start->cluster_id, start->generation};
      log->info("cluster {} started (generation {})", start->cluster_id, start->generation);
    } else if (auto* stop = std::get_if<kube::stop_cluster>(&e)) {
      auto it = st.running.find({stop->cluster_id, stop->generation});
      if (it != st.running.end()) {
        st.by_address.erase(it->second.address());
        self->demonitor(it->second);
        self->send_exit(it->second, caf::exit_reason::user_shutdown);
        st.running.erase(it);
        log->info("cluster {} stopped (generation {})", stop->cluster_id, stop->generation);
      }
    } else if (auto* later = std::get_if<kube::restart_later>(&e)) {
      self->delayed_send(self, later->delay, atom::timer_v, later->cluster_id, later->generation);
    } else if (auto* n = std::get_if<kube::notice>(&e)) {
      if (n->warning)
        log->warn("{}", n->message);
      else
        log->info("{}", n->message);
    }
  }
}

} // namespace

cluster_store_state::~cluster_store_state() {
  for (auto& [key, child] : running)
    caf::anon_send_exit(child, caf::exit_reason::user_shutdown);
}

const char* istioctl_status(kube::lifecycle s) {
  switch (s) {
    case kube::lifecycle::synced:
    case kube::lifecycle::stale:
      return "synced";
    case kube::lifecycle::timeout:
      return "timeout";
    case kube::lifecycle::failed:
      return "closed";
    case kube::lifecycle::pending:
    case kube::lifecycle::syncing:
      return "syncing";
  }
  return "syncing";
}

caf::behavior cluster_store_impl(cluster_store_ptr self, cluster_store_config cfg) {
  auto& st = self->state;
  st.cfg = std::move(cfg);
  st.registry = std::make_unique<kube::cluster_registry>(st.cfg.config_cluster_id, st.cfg.policy,
                                                         st.cfg.restart_backoff);
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
  });
  return {
      [=](const messages::remote_secret_update& u) {
        run_effects(self, self->state.registry->on_secret(u.secret, u.entries));
      },
      [=](const messages::remote_secret_deleted& d) {
        run_effects(self, self->state.registry->on_secret_deleted(d.secret));
      },
      [=](const messages::cluster_state_report& r) {
        self->state.registry->on_state(r.cluster_id, r.generation, r.state, r.last_error);
      },
      [=](atom::timer, const std::string& cluster_id, uint64_t generation) {
        run_effects(self, self->state.registry->on_restart_due(cluster_id, generation));
      },
      [=](atom::status) {
        messages::cluster_store_status out;
        for (const auto& [id, rec] : self->state.registry->clusters())
          out.clusters.push_back({id, rec.secret, istioctl_status(rec.state), rec.state,
                                  rec.last_error, rec.restarts, rec.generation});
        out.conflicts = self->state.registry->conflicts();
        return out;
      },
  };
}

} // namespace ambient::actors
