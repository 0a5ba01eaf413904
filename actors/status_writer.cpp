#include "actors/status_writer.hpp"

#include <caf/all.hpp>

#include "fleet/leader_election.hpp"
#include "kube/decode.hpp"
#include "messages/cluster_status_json.hpp"
#include "messages/type_ids.hpp"

namespace ambient::actors {

namespace {

std::string map_path(const status_writer_config& c, bool item) {
  auto base = "/api/v1/namespaces/" + c.namespace_ + "/configmaps";
  return item ? base + "/" + c.config_map : base;
}

/// One line per cluster, for people reading the ConfigMap with kubectl.
std::string summary(const messages::cluster_store_status& s) {
  std::string out;
  for (const auto& c : s.clusters) {
    out += c.cluster_id + ": " + c.sync_status + " (" + fleet::to_string(c.state) + ")";
    if (!c.last_error.empty())
      out += ": " + c.last_error;
    out += "\n";
  }
  return out;
}

std::string config_map_json(const status_writer_state& st, const std::string& clusters,
                            const std::string& text) {
  std::string out = R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":)"
                    + telemetry::json_string(st.cfg.config_map)
                    + ",\"namespace\":" + telemetry::json_string(st.cfg.namespace_);
  if (!st.resource_version.empty())
    out += ",\"resourceVersion\":" + telemetry::json_string(st.resource_version);
  out += R"(,"annotations":{"ambientd.io/writer":)" + telemetry::json_string(st.identity)
         + ",\"ambientd.io/written-at\":"
         + telemetry::json_string(fleet::micro_time(std::chrono::system_clock::now()))
         + "}},\"data\":{\"clusters.json\":" + telemetry::json_string(clusters)
         + ",\"summary\":" + telemetry::json_string(text) + "}}";
  return out;
}

void send(status_writer_ptr self, const char* method, bool item, std::string body) {
  auto& st = self->state;
  auto ticket = ++st.ticket;
  auto me = caf::actor_cast<caf::actor>(self);
  st.request = st.cfg.transport->start(
      st.cfg.client, method, map_path(st.cfg, item), std::move(body), nullptr,
      [me, ticket](kube::response_end end) {
        caf::anon_send(me, messages::api_response{ticket, std::move(end)});
      });
}

/// Writes `status` when it differs from what was written (reads the ConfigMap's version first
/// when it is not known).
void maybe_write(status_writer_ptr self, const messages::cluster_store_status& status) {
  auto& st = self->state;
  if (!st.leading || st.request != 0)
    return;
  auto clusters = messages::cluster_status_json(status);
  if (clusters == st.written && !st.resource_version.empty())
    return;
  st.pending_json = clusters;
  if (st.resource_version.empty() && !st.creating)
    return send(self, "GET", true, {});
  auto body = config_map_json(st, clusters, summary(status));
  send(self, st.creating ? "POST" : "PUT", !st.creating, std::move(body));
}

void stop(status_writer_ptr self) {
  auto& st = self->state;
  if (st.request != 0)
    st.cfg.transport->cancel(st.request);
  st.request = 0;
  ++st.ticket;
}

} // namespace

status_writer_state::~status_writer_state() {
  if (request != 0 && cfg.transport)
    cfg.transport->cancel(request);
}

caf::behavior status_writer_impl(status_writer_ptr self, status_writer_config cfg) {
  self->state.cfg = std::move(cfg);
  self->state.log = telemetry::make_logger("status_writer");
  return {
      [=](const messages::leadership& l) {
        auto& st = self->state;
        ++st.term;
        st.leading = l.leading;
        st.identity = l.identity;
        stop(self);
        st.resource_version.clear(); // another replica may have written meanwhile
        st.creating = false;
        if (st.leading) {
          st.log->info("leading: writing cluster status to configmap {}/{}", st.cfg.namespace_,
                       st.cfg.config_map);
          self->send(self, atom::tick_v, st.term);
        }
      },
      [=](atom::tick, uint64_t term) {
        auto& st = self->state;
        if (term != st.term || !st.leading)
          return;
        self->request(st.cfg.cluster_store, std::chrono::seconds{2}, atom::status_v)
            .then(
                [=](const messages::cluster_store_status& s) {
                  if (self->state.term == term)
                    maybe_write(self, s);
                },
                [=](const caf::error&) {});
        self->delayed_send(self, st.cfg.interval, atom::tick_v, term);
      },
      [=](const messages::api_response& r) {
        auto& st = self->state;
        if (r.ticket != st.ticket || !st.leading)
          return;
        st.request = 0;
        const auto& end = r.end;
        bool was_read = st.resource_version.empty() && !st.creating;
        if (was_read) { // the GET before the first write of a term
          if (end.status == 404) {
            st.creating = true;
          } else if (auto meta = kube::decode_object_meta(end.body); end.status == 200 && meta) {
            st.resource_version = meta->resource_version;
          } else {
            st.log->warn("reading configmap {}/{} failed: HTTP {} {}", st.cfg.namespace_,
                         st.cfg.config_map, end.status, end.error);
          }
          st.written.clear(); // write at the next tick
          return;
        }
        if (end.status >= 200 && end.status < 300) {
          st.creating = false;
          st.written = st.pending_json;
          if (auto meta = kube::decode_object_meta(end.body))
            st.resource_version = meta->resource_version;
          st.log->debug("cluster status written");
          return;
        }
        st.log->warn("writing configmap {}/{} failed: HTTP {} {}", st.cfg.namespace_,
                     st.cfg.config_map, end.status, end.error);
        st.resource_version.clear(); // 409 or anything else: read again before the next write
        st.creating = false;
      },
  };
}

} // namespace ambient::actors
