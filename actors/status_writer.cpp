#include "actors/status_writer.hpp"

#include <caf/all.hpp>

#include "messages/cluster_status_json.hpp"
#include "messages/type_ids.hpp"

namespace ambient::actors {

namespace {

void write(status_writer_ptr self, const messages::cluster_store_status& status) {
  auto& st = self->state;
  auto call = st.core->on_status(messages::cluster_status_json(status),
                                 messages::cluster_status_summary(status),
                                 std::chrono::system_clock::now());
  if (call)
    st.api->start(caf::actor_cast<caf::actor>(self), std::move(call->method), std::move(call->path),
                  std::move(call->body));
}

} // namespace

caf::behavior status_writer_impl(status_writer_ptr self, status_writer_config cfg) {
  auto& init = self->state;
  init.cfg = std::move(cfg);
  init.log = telemetry::make_logger("status_writer");
  init.core.emplace(init.cfg.namespace_, init.cfg.config_map);
  init.api.emplace(init.cfg.transport, init.cfg.client);
  return {
      [=](const messages::leadership& l) {
        auto& st = self->state;
        ++st.term;
        st.api->cancel();
        st.core->on_leadership(l.leading, l.identity);
        if (l.leading) {
          st.log->info("leading: writing cluster status to configmap {}/{}", st.cfg.namespace_,
                       st.cfg.config_map);
          self->send(self, atom::tick_v, st.term);
        }
      },
      [=](atom::tick, uint64_t term) {
        auto& st = self->state;
        if (term != st.term || !st.core->leading())
          return;
        self->request(st.cfg.cluster_store, std::chrono::seconds{2}, atom::status_v)
            .then(
                [=](const messages::cluster_store_status& s) {
                  if (self->state.term == term)
                    write(self, s);
                },
                [=](const caf::error&) {});
        self->delayed_send(self, st.cfg.interval, atom::tick_v, term);
      },
      [=](const messages::api_response& r) {
        auto& st = self->state;
        if (!st.api->take(r.ticket))
          return;
        auto outcome = st.core->on_response(r.end);
        if (outcome.what == fleet::status_outcome::kind::failed)
          st.log->warn("{}", outcome.message);
        else if (outcome.what == fleet::status_outcome::kind::written)
          st.log->debug("cluster status written");
      },
  };
}

} // namespace ambient::actors
