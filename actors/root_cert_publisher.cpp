#include "actors/root_cert_publisher.hpp"

#include <caf/all.hpp>

#include "messages/type_ids.hpp"
#include "telemetry/metrics.hpp"

namespace ambient::actors {

namespace {

using steady = std::chrono::steady_clock;

caf::actor spawn_watch(root_cert_publisher_ptr self, kube::resource_kind kind) {
  auto& st = self->state;
  auto& keys = kind == kube::resource_kind::namespaces ? st.namespace_keys : st.config_map_keys;
  informer_config ic;
  ic.kind = kind;
  ic.cluster_id = st.cfg.cluster_id;
  ic.transport = st.cfg.transport;
  ic.client = st.cfg.client;
  ic.parent = caf::actor_cast<caf::actor>(self);
  if (kind == kube::resource_kind::config_maps)
    ic.field_selector = "metadata.name=" + std::string{fleet::root_cert_config_map};
  ic.reflector = st.cfg.reflector;
  ic.known_keys = keys.snapshot();
  ic.known_resource_version = keys.resource_version();
  auto child = self->spawn<caf::linked>(informer_impl, std::move(ic));
  if (st.cfg.informer_spawned)
    st.cfg.informer_spawned(kind, child);
  return child;
}

void stop_watches(root_cert_publisher_ptr self) {
  auto& st = self->state;
  for (auto* a : {&st.namespaces, &st.config_maps}) {
    if (!*a)
      continue;
    self->unlink_from(*a); // its exit is expected: no restart, no quit
    self->send_exit(*a, caf::exit_reason::user_shutdown);
    *a = caf::actor{};
  }
  st.namespace_keys = {};
  st.config_map_keys = {};
  st.namespaces_synced = st.config_maps_synced = false;
}

/// Starts the call the core asks for, or the timer of its next retry.
void pump(root_cert_publisher_ptr self) {
  auto& st = self->state;
  auto now = steady::now();
  if (st.api->busy())
    return;
  if (auto call = st.core->next(now)) {
    st.api->start(caf::actor_cast<caf::actor>(self), std::move(call->method), std::move(call->path),
                  std::move(call->body));
    return;
  }
  auto due = st.core->wake_at();
  if (!due || (st.timer_due && *st.timer_due <= *due))
    return;
  st.timer_due = due;
  auto delay = std::chrono::duration_cast<std::chrono::milliseconds>(*due - now);
  self->delayed_send(self, std::max(delay, std::chrono::milliseconds{1}), atom::timer_v,
                     ++st.timer_generation);
}

/// Counts one answered write in ambientd_root_cert_writes_total{result}.
void count(fleet::root_cert_outcome::kind what) {
  using kind = fleet::root_cert_outcome::kind;
  const char* result = what == kind::written     ? "written"
                       : what == kind::skipped   ? "skipped"
                       : what == kind::forbidden ? "forbidden"
                       : what == kind::retrying  ? "retried"
                                                 : "given_up";
  telemetry::default_registry()
      .add_counter("ambientd_root_cert_writes_total",
                   "answered writes of istio-ca-root-cert ConfigMaps, by result",
                   {{"result", result}})
      .inc();
}

void admit(root_cert_publisher_ptr self, const mesh::filter_change& c) {
  for (const auto& n : c.added)
    self->state.core->on_admission(n, true);
  for (const auto& n : c.removed)
    self->state.core->on_admission(n, false);
}

void apply_namespaces(root_cert_publisher_ptr self, const messages::informer_batch& b) {
  auto& st = self->state;
  st.namespace_keys.apply(b);
  for (const auto& c : b.changes) {
    if (c.type == messages::object_change::deleted) {
      admit(self, st.filter->on_namespace_deleted(c.key));
      st.core->on_namespace_deleted(c.key);
      continue;
    }
    const auto& ns = std::get<kube::namespace_>(*c.object);
    auto change = st.filter->on_namespace(ns);
    st.core->on_namespace(ns.meta.name, ns.terminating, st.filter->admits(ns.meta.name));
    admit(self, change);
  }
}

void apply_config_maps(root_cert_publisher_ptr self, const messages::informer_batch& b) {
  auto& st = self->state;
  st.config_map_keys.apply(b);
  for (const auto& c : b.changes) {
    auto ns = c.key.substr(0, c.key.find('/'));
    if (c.type == messages::object_change::deleted) {
      st.core->on_config_map_deleted(ns);
      continue;
    }
    const auto& cm = std::get<kube::config_map>(*c.object);
    auto roots = kube::lookup(cm.data, fleet::root_cert_key);
    st.core->on_config_map(ns, roots ? std::optional<std::string>{*roots} : std::nullopt);
  }
}

} // namespace

caf::behavior root_cert_publisher_impl(root_cert_publisher_ptr self,
                                       root_cert_publisher_config cfg) {
  auto& init = self->state;
  init.cfg = std::move(cfg);
  self->set_telemetry_cluster(init.cfg.cluster_id);
  init.log = telemetry::make_logger("root_cert_publisher", init.cfg.cluster_id);
  init.core.emplace(init.cfg.roots_pem, init.cfg.retry);
  init.api.emplace(init.cfg.transport, init.cfg.client);
  // Informers are linked: they die with us. One dying while we lead is restarted, seeded with the
  // keys it had reported, so what was deleted meanwhile is reported deleted.
  self->set_exit_handler([self](const caf::exit_msg& msg) {
    auto& st = self->state;
    auto is = [&](const caf::actor& a) {
      return a && msg.source == a.address();
    };
    auto* which = is(st.namespaces)    ? &st.namespaces
                  : is(st.config_maps) ? &st.config_maps
                                       : nullptr;
    if (which == nullptr) {
      if (msg.reason)
        self->quit(msg.reason);
      return;
    }
    auto kind = which == &st.namespaces ? kube::resource_kind::namespaces
                                        : kube::resource_kind::config_maps;
    st.log->error("informer {} died ({}); restarting", kube::to_string(kind),
                  caf::to_string(msg.reason));
    telemetry::default_actor_directory().restarted("informer", st.cfg.cluster_id);
    *which = spawn_watch(self, kind);
  });
  return {
      [=](const messages::leadership& l) {
        auto& st = self->state;
        ++st.term;
        st.api->cancel();
        stop_watches(self);
        st.timer_due.reset();
        ++st.timer_generation;
        st.core->on_leadership(l.leading);
        if (!l.leading)
          return;
        st.log->info("leading: publishing the CA roots in configmap {} of every namespace",
                     fleet::root_cert_config_map);
        st.filter.emplace(st.cfg.discovery_selectors);
        st.namespaces = spawn_watch(self, kube::resource_kind::namespaces);
        st.config_maps = spawn_watch(self, kube::resource_kind::config_maps);
      },
      [=](const messages::ca_roots& r) {
        self->state.log->info("CA roots changed: rewriting every namespace's {}",
                              fleet::root_cert_config_map);
        self->state.core->on_roots(r.roots_pem);
        pump(self);
      },
      [=](const messages::informer_batch_ptr& b) {
        auto& st = self->state;
        auto from = self->current_sender();
        if (st.namespaces && from == st.namespaces.address())
          apply_namespaces(self, *b);
        else if (st.config_maps && from == st.config_maps.address())
          apply_config_maps(self, *b);
        else
          return; // an informer of an earlier term
        pump(self);
      },
      [=](const messages::informer_health& h) {
        auto& st = self->state;
        auto from = self->current_sender();
        bool ns = st.namespaces && from == st.namespaces.address();
        if (!ns && !(st.config_maps && from == st.config_maps.address()))
          return;
        if (!h.healthy)
          st.log->warn("{} informer: {}", kube::to_string(h.kind), h.last_error);
        if (!h.synced)
          return;
        auto& synced = ns ? st.namespaces_synced : st.config_maps_synced;
        if (synced)
          return;
        synced = true;
        if (ns)
          admit(self, st.filter->on_synced());
        if (st.namespaces_synced && st.config_maps_synced) {
          st.core->on_synced();
          pump(self);
        }
      },
      [=](atom::timer, uint64_t generation) {
        auto& st = self->state;
        if (generation != st.timer_generation)
          return; // stale (delayed_send cannot be cancelled)
        st.timer_due.reset();
        pump(self);
      },
      [=](const messages::api_response& r) {
        auto& st = self->state;
        if (!st.api->take(r.ticket))
          return;
        auto outcome = st.core->on_response(r.end, steady::now());
        using kind = fleet::root_cert_outcome::kind;
        switch (outcome.what) {
          case kind::written:
          case kind::skipped:
          case kind::retrying:
            st.log->debug("{}", outcome.message);
            break;
          case kind::forbidden:
            st.log->info("{}", outcome.message);
            break;
          case kind::gave_up:
            st.log->warn("{}", outcome.message);
            break;
          case kind::stale:
            break;
        }
        if (outcome.what != kind::stale)
          count(outcome.what);
        pump(self);
      },
  };
}

} // namespace ambient::actors
