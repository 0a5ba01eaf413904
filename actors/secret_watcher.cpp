#include "actors/secret_watcher.hpp"

#include <caf/all.hpp>

#include "fleet/cluster_registry.hpp"
#include "messages/type_ids.hpp"
#include "telemetry/log.hpp"

namespace ambient::actors {

namespace {

void spawn_secret_informer(secret_watcher_ptr self) {
  auto& st = self->state;
  informer_config ic;
  ic.kind = kube::resource_kind::secrets;
  ic.cluster_id = st.cfg.config_cluster_id;
  ic.transport = st.cfg.transport;
  ic.client = st.cfg.config_cluster_client;
  ic.parent = caf::actor_cast<caf::actor>(self);
  ic.namespace_ = st.cfg.system_namespace;
  ic.label_selector = st.cfg.label_selector;
  ic.reflector = st.cfg.reflector;
  ic.known_keys = st.keys.snapshot();
  ic.known_resource_version = st.keys.resource_version();
  st.informer = self->spawn<caf::linked>(informer_impl, std::move(ic));
  if (st.cfg.informer_spawned)
    st.cfg.informer_spawned(kube::resource_kind::secrets, st.informer);
}

} // namespace

caf::behavior secret_watcher_impl(secret_watcher_ptr self, secret_watcher_config cfg) {
  self->state.cfg = std::move(cfg);
  self->set_telemetry_cluster(self->state.cfg.config_cluster_id);
  auto log = telemetry::make_logger("secret_watcher", self->state.cfg.config_cluster_id);
  spawn_secret_informer(self);
  self->set_exit_handler([self, log](const caf::exit_msg& msg) {
    auto& st = self->state;
    if (msg.source != st.informer.address()) {
      if (msg.reason)
        self->quit(msg.reason);
      return;
    }
    log->error("secret informer died ({}); restarting", caf::to_string(msg.reason));
    telemetry::default_actor_directory().restarted("informer", st.cfg.config_cluster_id);
    spawn_secret_informer(self);
  });
  return {
      [=](const messages::informer_batch_ptr& b) {
        auto& st = self->state;
        st.keys.apply(*b);
        for (const auto& c : b->changes) {
          if (c.type == messages::object_change::deleted) {
            self->send(st.cfg.cluster_store, messages::remote_secret_deleted{c.key});
            continue;
          }
          const auto& s = std::get<kube::secret>(*c.object);
          self->send(st.cfg.cluster_store,
                     messages::remote_secret_update{c.key, fleet::read_remote_secret(s)});
        }
      },
      [=](const messages::informer_health& h) {
        if (h.healthy)
          log->info("remote secrets: watching ({} secrets)", h.stats.objects);
        else
          log->warn("remote secrets: {}", h.last_error);
      },
  };
}

} // namespace ambient::actors
