#include "actors/readiness_aggregator.hpp"

#include <caf/all.hpp>

#include "messages/type_ids.hpp"

namespace ambient::actors {

namespace {

/// What the index left out of objects since the last flush: a warning per note (the logger
/// swallows repeats) and the counters.
void report_skips(readiness_aggregator_state& s) {
  auto& skips = s.index->skips();
  for (const auto& n : skips.take_notes())
    s.log->warn("cluster {}: {}: {}, {}{}{}", n.cluster, n.object,
                mesh::skip_is_binding(n.reason) ? "not bound" : "left out",
                mesh::skip_reason_name(n.reason), n.detail.empty() ? "" : ": ", n.detail);
  const auto& counts = skips.counts();
  for (size_t i = 0; i < counts.size(); ++i) {
    if (counts[i] == s.skipped_reported[i])
      continue;
    if (s.skipped[i] == nullptr)
      s.skipped[i] = &s.cfg.metrics->add_counter(
          "ambientd_index_skipped_total",
          "Parts of Kubernetes objects the ambient index could not use (bad input), by reason.",
          {{"reason", std::string{mesh::skip_reason_name(static_cast<mesh::skip_reason>(i))}}});
    s.skipped[i]->inc(counts[i] - s.skipped_reported[i]);
    s.skipped_reported[i] = counts[i];
  }
}

void queue_flush(readiness_aggregator_ptr self) {
  auto& st = self->state;
  if (st.flush_queued)
    return;
  st.flush_queued = true;
  if (!st.first_change)
    st.first_change = std::chrono::steady_clock::now();
  self->send(self, atom::flush_v);
}

} // namespace

caf::behavior readiness_aggregator_impl(readiness_aggregator_ptr self,
                                        readiness_aggregator_config cfg) {
  auto& st = self->state;
  st.cfg = std::move(cfg);
  st.index = std::make_unique<mesh::mesh_index>(st.cfg.mesh);
  st.log = telemetry::make_logger("readiness_aggregator");
  return {
      [=](const messages::cluster_batch& b) {
        auto& idx = *self->state.index;
        for (const auto& c : b.batch->changes) {
          if (c.type == messages::object_change::deleted || !c.object)
            idx.remove(b.cluster_id, b.generation, b.batch->kind, c.key);
          else
            idx.upsert(b.cluster_id, b.generation, *c.object);
        }
        ++self->state.batches_since_flush;
        queue_flush(self);
      },
      [=](const messages::cluster_state_report& r) {
        self->state.index->set_state(r.cluster_id, r.generation, r.state);
        queue_flush(self);
      },
      [=](const messages::cluster_withdrawn& w) {
        self->state.index->withdraw(w.cluster_id, w.generation);
        queue_flush(self);
      },
      [=](const messages::cluster_suspended& c) {
        self->state.log->warn("cluster {} suspended (stale past the limit; generation {})",
                              c.cluster_id, c.generation);
        self->state.index->suspend(c.cluster_id);
        queue_flush(self);
      },
      [=](atom::flush) {
        auto& s = self->state;
        s.flush_queued = false;
        auto first_change = s.first_change.value_or(std::chrono::steady_clock::now());
        s.first_change.reset();
        auto delta = s.index->take_delta();
        report_skips(s);
        auto batches = s.batches_since_flush;
        s.batches_since_flush = 0;
        if (delta.empty())
          return;
        delta.received = first_change;
        s.log->debug("version {}: {} upserted, {} removed, from {} batches", delta.version,
                     delta.upserted.size(), delta.removed.size(), batches);
        if (auto admitted = s.index->admitted_clusters(); admitted != s.admitted) {
          s.admitted = std::move(admitted);
          std::string names;
          for (const auto& id : s.admitted)
            names += (names.empty() ? "" : ",") + id;
          s.log->info("merged view: clusters [{}], {} resources, version {}", names,
                      s.index->resources().size(), delta.version);
        }
        if (s.cfg.publisher)
          self->send(s.cfg.publisher, std::make_shared<const mesh::mesh_delta>(std::move(delta)));
      },
      [=](messages::impersonation_ask& a) {
        a.done(self->state.index->impersonation_refusal(a.query));
      },
      [=](atom::resources) {
        const auto& idx = *self->state.index;
        messages::mesh_view out;
        out.resources.reserve(idx.resources().size());
        for (const auto& [name, r] : idx.resources())
          out.resources.push_back(r);
        out.authorizations.reserve(idx.authorizations().size());
        for (const auto& [name, a] : idx.authorizations())
          out.authorizations.push_back(a);
        return messages::mesh_snapshot{std::make_shared<const messages::mesh_view>(std::move(out))};
      },
      [=](atom::waypoints) {
        return messages::waypoint_report_ptr{
            std::make_shared<const mesh::waypoint_report>(self->state.index->report_waypoints())};
      },
      [=](atom::status) {
        const auto& idx = *self->state.index;
        return messages::aggregator_status{idx.version(), idx.resources().size(),
                                           idx.admitted_clusters()};
      },
  };
}

} // namespace ambient::actors
