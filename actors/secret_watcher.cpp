#include "actors/secret_watcher.hpp"

#include <caf/all.hpp>

#include "actors/informer.hpp"
#include "kube/cluster_registry.hpp"
#include "messages/type_ids.hpp"
#include "telemetry/log.hpp"

namespace ambient::actors {

namespace {

caf::actor spawn_secret_informer(secret_watcher_ptr self, const secret_watcher_config& cfg) {
  informer_config ic;
  ic.kind = kube::resource_kind::secrets;
  ic.cluster_id = cfg.config_cluster_id;
  ic.transport = cfg.transport;
  ic.client = cfg.config_cluster_client;
  ic.parent = caf::actor_cast<caf::actor>(self);
  ic.namespace_ = cfg.system_namespace;
  ic.label_selector = cfg.label_selector;
  ic.reflector = cfg.reflector;
  return self->spawn<caf::linked>(informer_impl, std::move(ic));
}

} // namespace

caf::behavior secret_watcher_impl(secret_watcher_ptr self, secret_watcher_config cfg) {
  self->set_telemetry_cluster(cfg.config_cluster_id);
  auto log = telemetry::make_logger("secret_watcher", cfg.config_cluster_id);
  auto informer = std::make_shared<caf::actor>(spawn_secret_informer(self, cfg));
  self->set_exit_handler([self, cfg, informer, log](const caf::exit_msg& msg) {
    if (msg.source != informer->address()) {
      if (msg.reason)
        self->quit(msg.reason);
      return;
    }
    log->error("secret informer died ({}); restarting", caf::to_string(msg.reason));
    telemetry::default_actor_directory().restarted("informer", cfg.config_cluster_id);
    *informer = spawn_secret_informer(self, cfg);
  });
  return {
      [=](const messages::informer_batch_ptr& b) {
        for (const auto& c : b->changes) {
          if (c.type == messages::object_change::deleted) {
            self->send(cfg.cluster_store, messages::remote_secret_deleted{c.key});
            continue;
          }
          const auto& s = std::get<kube::secret>(*c.object);
          self->send(cfg.cluster_store,
                     messages::remote_secret_update{c.key, kube::read_remote_secret(s)});
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
