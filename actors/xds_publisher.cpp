#include "actors/xds_publisher.hpp"

#include <algorithm>

#include <caf/all.hpp>

#include "messages/type_ids.hpp"

namespace ambient::actors {

namespace {

using clock_type = std::chrono::steady_clock;

/// The next response of the stream's first session that has one, as the proto to send.
template <class Sessions>
std::pair<std::shared_ptr<const google::protobuf::Message>, std::string_view>
next_response(const xds::publisher_tables& tables, Sessions& sessions) {
  for (auto& [type_url, session] : sessions) {
    const auto* table = tables.find(type_url);
    if (table == nullptr)
      continue;
    if (auto r = session.next_response(*table))
      return {std::make_shared<const decltype(xds::to_proto(*r, type_url))>(
                  xds::to_proto(*r, type_url)),
              type_url};
  }
  return {nullptr, {}};
}

/// Sends the stream its next response, if it can take one and has something to get.
void pump(xds_publisher_ptr self, uint64_t id, xds_stream& s) {
  if (s.in_flight)
    return;
  auto& st = self->state;
  auto [msg, type_url] = s.protocol == xds::stream_protocol::delta
                             ? next_response(*st.tables, s.delta_sessions)
                             : next_response(*st.tables, s.sotw_sessions);
  if (!msg) {
    s.pending_since.reset(); // nothing is owed
    return;
  }
  auto size = msg->ByteSizeLong();
  if (!s.port->send(std::move(msg))) {
    st.log->debug("stream {} is gone; dropping its response", id);
    return;
  }
  s.in_flight = true;
  auto& m = st.metrics->of(type_url);
  m.pushes->inc();
  m.bytes->inc(size);
  if (s.pending_since)
    st.metrics->latency.observe(
        std::chrono::duration<double>(clock_type::now() - *s.pending_since).count());
}

/// Sends every stream what it is owed (table changes held since the last push).
void push_all(xds_publisher_ptr self) {
  auto& st = self->state;
  st.last_push = clock_type::now();
  for (auto& [id, s] : st.streams)
    pump(self, id, s);
}

/// Counts a request's outcome and logs a NACK.
void account(xds_publisher_ptr self, uint64_t id, const xds_stream& s, const std::string& type_url,
             const xds::request_outcome& outcome, const std::string& error) {
  if (outcome.kind != xds::request_kind::nack)
    return;
  self->state.metrics->of(type_url).rejects->inc();
  self->state.log->warn("stream {} ({}) rejected {}: {}", id, s.peer, type_url, error);
}

/// The stream's session for `type_url`, created (and counted) on first use; null for a type
/// ambientd does not serve (logged and counted).
template <class Session, class Sessions>
Session* session_for(xds_publisher_ptr self, uint64_t id, Sessions& sessions,
                     const std::string& type_url) {
  auto& st = self->state;
  if (auto it = sessions.find(type_url); it != sessions.end())
    return &it->second;
  if (st.tables->find(type_url) == nullptr) {
    st.metrics->unknown_types.inc();
    st.log->warn("stream {}: type '{}' is not served; request ignored", id, type_url);
    return nullptr;
  }
  st.metrics->of(type_url).streams->add(1);
  return &sessions.try_emplace(type_url, type_url).first->second;
}

/// Takes a request of either protocol: the stream's session for its type, ACK/NACK accounting,
/// then whatever response is owed.
template <class Session, class Request, class Sessions>
void on_request(xds_publisher_ptr self, uint64_t id, const Request& request,
                Sessions xds_stream::*sessions) {
  auto it = self->state.streams.find(id);
  if (it == self->state.streams.end())
    return;
  auto* session = session_for<Session>(self, id, it->second.*sessions, request.type_url);
  if (session == nullptr)
    return;
  auto outcome = session->on_request(request);
  account(self, id, it->second, request.type_url, outcome, request.error_message);
  // An ACK or NACK alone needs no answer: while changes are held, it waits for the held push
  // (else every ACK would send the stream the changes held since its last response).
  bool acknowledgement
      = outcome.kind == xds::request_kind::ack || outcome.kind == xds::request_kind::nack;
  if (self->state.push_scheduled && acknowledgement && !outcome.subscription_changed)
    return;
  pump(self, id, it->second);
}

/// Takes a stream out of the gauges (it closed, or the publisher is going).
void uncount(xds_metrics& m, const xds_stream& s) {
  for (const auto& [type_url, session] : s.delta_sessions)
    m.of(type_url).streams->add(-1);
  for (const auto& [type_url, session] : s.sotw_sessions)
    m.of(type_url).streams->add(-1);
  m.connected.add(-1);
}

} // namespace

xds_metrics::xds_metrics(telemetry::registry& r)
  : registry(r), connected(r.add_gauge("pilot_xds", "ADS streams connected to this ambientd.")),
    latency(r.add_histogram(
        "pilot_proxy_convergence_time",
        "Seconds from a change reaching the merged view to its response being handed to gRPC, "
        "per response.",
        telemetry::exponential_buckets(0.0001, 2, 18))),
    refused(r.add_counter("ambientd_xds_streams_refused_total",
                          "ADS streams refused: the caller is not authenticated, not allowed, or "
                          "its node claims another identity.")),
    unknown_types(r.add_counter("ambientd_xds_unknown_type_requests_total",
                                "xDS requests for a type URL ambientd does not serve.")) {
  // nop
}

xds_type_metrics& xds_metrics::of(std::string_view type_url) {
  auto type = xds::metric_type(type_url);
  if (auto it = types.find(type); it != types.end())
    return it->second;
  telemetry::label_set labels{{"type", std::string{type}}};
  xds_type_metrics m;
  m.streams
      = &registry.add_gauge("ambientd_xds_streams", "ADS streams subscribed to a type.", labels);
  m.pushes = &registry.add_counter("pilot_xds_pushes", "xDS responses sent, by type.", labels);
  m.rejects = &registry.add_counter("pilot_total_xds_rejects",
                                    "xDS responses rejected (NACKed) by clients, by type.", labels);
  m.bytes = &registry.add_counter("ambientd_xds_sent_bytes_total",
                                  "Bytes of xDS responses handed to gRPC, by type.", labels);
  return types.emplace(std::string{type}, m).first->second;
}

xds::stream_event_sink forward_to(caf::actor publisher) {
  return [publisher](xds::stream_event e) {
    std::visit([&](auto& x) { caf::anon_send(publisher, std::move(x)); }, e);
  };
}

namespace {

/// One session's row in /debug/xds.
template <class Session>
messages::xds_type_row type_row(const Session& session) {
  messages::xds_type_row row;
  row.type_url = session.type_url();
  row.wildcard = session.wildcard();
  row.subscribed = session.subscribed().size();
  row.sent = session.sent().size();
  const auto& stats = session.stats();
  row.responses = stats.responses;
  row.acks = stats.acks;
  row.nacks = stats.nacks;
  row.last_sent_nonce = stats.last_sent_nonce;
  row.last_acked_nonce = stats.last_acked_nonce;
  row.last_nacked_nonce = stats.last_nacked_nonce;
  row.last_error = stats.last_error;
  if constexpr (std::is_same_v<Session, xds::sotw_session>)
    row.acked_version = session.acked_version();
  return row;
}

/// The publisher's tables and streams, for /debug/xds.
messages::xds_status debug_status(const xds_publisher_state& st) {
  messages::xds_status out;
  for (auto type_url : {xds::address_type_url, xds::authorization_type_url, xds::listener_type_url,
                        xds::route_type_url, xds::cluster_type_url, xds::endpoint_type_url}) {
    const auto* t = st.tables->find(type_url);
    out.tables.push_back(
        {std::string{type_url}, t->version_string(t->version()), t->entries().size()});
  }
  for (const auto& [id, s] : st.streams) {
    messages::xds_stream_row row;
    row.id = id;
    row.peer = s.peer;
    row.protocol = s.protocol == xds::stream_protocol::delta ? "delta" : "sotw";
    row.in_flight = s.in_flight;
    for (const auto& [type, session] : s.delta_sessions)
      row.types.push_back(type_row(session));
    for (const auto& [type, session] : s.sotw_sessions)
      row.types.push_back(type_row(session));
    out.streams.push_back(std::move(row));
  }
  return out;
}

} // namespace

caf::behavior xds_publisher_impl(xds_publisher_ptr self, xds_publisher_config cfg) {
  self->state.log = telemetry::make_logger("xds_publisher");
  self->state.metrics = std::make_unique<xds_metrics>(*cfg.metrics);
  self->state.tables = std::make_unique<xds::publisher_tables>(cfg.version_prefix);
  self->state.push_interval = std::max(cfg.push_interval, std::chrono::milliseconds{0});
  self->attach_functor([self] {
    // The streams' gauges must not outlive the streams.
    for (auto& [id, s] : self->state.streams)
      uncount(*self->state.metrics, s);
  });
  return {
      [=](const messages::mesh_delta_ptr& d) {
        auto& st = self->state;
        if (d->empty())
          return;
        auto received = d->received == clock_type::time_point{} ? clock_type::now() : d->received;
        st.tables->apply(*d);
        for (auto& [id, s] : st.streams)
          if (!s.pending_since)
            s.pending_since = received;
        if (st.push_scheduled)
          return; // goes out with the held push
        auto now = clock_type::now();
        auto due = st.last_push + st.push_interval;
        if (now >= due) {
          push_all(self);
          return;
        }
        st.push_scheduled = true;
        self->delayed_send(self, due - now, atom::flush_v);
      },
      [=](atom::flush) {
        self->state.push_scheduled = false;
        push_all(self);
      },
      [=](const xds::stream_opened& o) {
        auto& st = self->state;
        auto& s = st.streams[o.id];
        s.port = o.port;
        s.peer = o.peer;
        s.protocol = o.protocol;
        st.metrics->connected.add(1);
        st.log->info("stream {} ({}) opened by {}", o.id,
                     o.protocol == xds::stream_protocol::delta ? "delta" : "sotw", o.peer);
      },
      [=](const xds::stream_request& r) {
        on_request<xds::delta_session>(self, r.id, r.request, &xds_stream::delta_sessions);
      },
      [=](const xds::sotw_stream_request& r) {
        on_request<xds::sotw_session>(self, r.id, r.request, &xds_stream::sotw_sessions);
      },
      [=](const xds::stream_written& w) {
        auto it = self->state.streams.find(w.id);
        if (it == self->state.streams.end())
          return;
        it->second.in_flight = false;
        if (!self->state.push_scheduled) // else the held push brings it up to date
          pump(self, w.id, it->second);
      },
      [=](const xds::stream_closed& c) {
        auto& st = self->state;
        auto it = st.streams.find(c.id);
        if (it == st.streams.end())
          return;
        uncount(*st.metrics, it->second);
        st.streams.erase(it);
        st.log->info("stream {} closed", c.id);
      },
      [=](const xds::stream_refused& r) {
        self->state.metrics->refused.inc();
        self->state.log->warn("refused an ADS stream from {}: {}", r.peer, r.reason);
      },
      [=](atom::status) { return self->state.streams.size(); },
      [=](atom::debug) { return debug_status(self->state); },
  };
}

} // namespace ambient::actors
