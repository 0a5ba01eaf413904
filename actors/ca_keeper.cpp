#include "actors/ca_keeper.hpp"

#include <caf/all.hpp>

#include <openssl/x509.h>

#include "ca/cert_builder.hpp"
#include "ca/root_ca.hpp"
#include "fleet/ca_secret_sync.hpp"
#include "messages/api.hpp"
#include "messages/auth.hpp"
#include "messages/type_ids.hpp"

namespace ambient::actors {

namespace {

using clock_type = std::chrono::system_clock;

/// The reloads counter of one result ("rotated", "refused", "unreadable").
void count_reload(const char* result) {
  telemetry::default_registry()
      .add_counter("ambientd_ca_reloads_total",
                   "Changes of the CA's material seen while running, by result: rotated "
                   "(installed), refused (did not load: the previous material is kept) or "
                   "unreadable (the files or the Secret could not be read).",
                   {{"result", result}})
      .inc();
}

/// Sets the expiry gauges from the bundle in use (unix seconds).
void show_expiry(ca_keeper_state& st) {
  const auto& bundle = st.cfg.core->bundle();
  clock_type::time_point epoch{};
  st.root_expiry->set(static_cast<double>(ca::root_expiry_seconds(*bundle, epoch)));
  st.chain_expiry->set(
      static_cast<double>(std::chrono::duration_cast<std::chrono::seconds>(
                              ca::to_time_point(X509_get0_notAfter(bundle->cert.get())) - epoch)
                              .count()));
}

/// Carries out a step of the core: install, write, publish, log.
void apply(ca_keeper_ptr self, const ca::keeper_step& step) {
  auto& st = self->state;
  if (!step.refused.empty()) {
    st.log->error("{}", step.refused);
    count_reload("refused");
  }
  if (!step.renewal_error.empty())
    st.log->error("{}", step.renewal_error);
  if (step.install) {
    st.cfg.signer->install(step.install);
    show_expiry(st);
    count_reload("rotated");
    st.log->info("CA material changed: now signing with the new bundle{}",
                 step.listener_roots ? " (the trusted roots changed too)" : "");
  }
  if ((step.serving || step.listener_roots) && st.cfg.write_listener) {
    auto failed = st.cfg.write_listener(step);
    if (!failed.empty())
      st.log->error("TLS listener files: {}", failed);
    else if (step.serving)
      st.log->info("TLS listener certificate renewed; valid for {} more hours",
                   std::chrono::duration_cast<std::chrono::hours>(step.serving->not_after
                                                                  - clock_type::now())
                       .count());
  }
  if (step.listener_roots)
    for (const auto& follower : st.cfg.roots_followers)
      self->send(follower, messages::ca_roots{*step.listener_roots});
}

} // namespace

caf::behavior ca_keeper_impl(ca_keeper_ptr self, ca_keeper_config cfg) {
  auto& init = self->state;
  init.cfg = std::move(cfg);
  init.log = telemetry::make_logger("ca_keeper");
  auto& registry = telemetry::default_registry();
  init.root_expiry
      = &registry.add_gauge("citadel_server_root_cert_expiry_timestamp",
                            "When the CA's first root expires, unix seconds (istiod's name).");
  init.chain_expiry = &registry.add_gauge(
      "citadel_server_cert_chain_expiry_timestamp",
      "When the CA's signing certificate expires, unix seconds (istiod's name).");
  show_expiry(init);
  if (init.cfg.transport)
    init.api.emplace(init.cfg.transport, init.cfg.client);
  self->send(self, atom::tick_v);
  return {
      [=](atom::tick) {
        auto& st = self->state;
        auto now = clock_type::now();
        if (st.cfg.read_files) {
          auto read = st.cfg.read_files();
          if (auto* failed = std::get_if<std::string>(&read)) {
            st.log->error("re-reading the plugged-in CA: {}", *failed);
            count_reload("unreadable");
          } else {
            apply(self, st.cfg.core->on_material(std::get<std::map<std::string, std::string>>(read),
                                                 now));
          }
        }
        if (st.api && !st.api->busy()) {
          auto call = fleet::ca_secret_sync{st.cfg.secret_namespace, st.cfg.secret_name}.start();
          st.api->start(caf::actor_cast<caf::actor>(self), call.method, call.path);
        }
        apply(self, st.cfg.core->on_tick(now));
        self->delayed_send(self, st.cfg.interval, atom::tick_v);
      },
      [=](const messages::api_response& r) {
        auto& st = self->state;
        if (!st.api->take(r.ticket))
          return;
        if (r.end.status == 404) { // istiod's rotator keeps its root when the Secret is gone
          st.log->warn("secret {}/{} is gone: still signing with the root read before",
                       st.cfg.secret_namespace, st.cfg.secret_name);
          return;
        }
        fleet::ca_secret_sync sync{st.cfg.secret_namespace, st.cfg.secret_name};
        auto step = sync.on_response(r.end, [] { return std::map<std::string, std::string>{}; });
        if (!step.data) {
          st.log->error("re-reading the CA's root: {}", step.error);
          count_reload("unreadable");
          return;
        }
        apply(self, st.cfg.core->on_material(*step.data, clock_type::now()));
      },
  };
}

} // namespace ambient::actors
