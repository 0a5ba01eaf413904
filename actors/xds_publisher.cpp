#include "actors/xds_publisher.hpp"

#include <caf/all.hpp>

#include "messages/type_ids.hpp"

namespace ambient::actors {

namespace {

const xds::resource_table* table_for(xds_publisher_state& st, std::string_view type_url) {
  if (type_url == xds::address_type_url)
    return &st.addresses;
  if (type_url == xds::authorization_type_url)
    return &st.authorizations;
  return nullptr;
}

/// Sends the stream its next response, if it can take one and has something to get.
void pump(xds_publisher_ptr self, uint64_t id, xds_stream& s) {
  if (s.in_flight)
    return;
  for (auto& [type_url, session] : s.sessions) {
    const auto* table = table_for(self->state, type_url);
    if (table == nullptr)
      continue;
    auto r = session.next_response(*table);
    if (!r)
      continue;
    auto proto = std::make_shared<const xds::delta_response_proto>(xds::to_proto(*r, type_url));
    if (s.port->send(std::move(proto)))
      s.in_flight = true;
    else
      self->state.log->debug("stream {} is gone; dropping its response", id);
    return;
  }
}

} // namespace

xds::stream_event_sink forward_to(caf::actor publisher) {
  return [publisher](xds::stream_event e) {
    std::visit([&](auto& x) { caf::anon_send(publisher, std::move(x)); }, e);
  };
}

caf::behavior xds_publisher_impl(xds_publisher_ptr self, int) {
  self->state.log = telemetry::make_logger("xds_publisher");
  return {
      [=](const messages::mesh_delta_ptr& d) {
        auto& st = self->state;
        if (d->empty())
          return;
        st.addresses.apply(*d);
        for (auto& [id, s] : st.streams)
          pump(self, id, s);
      },
      [=](const xds::stream_opened& o) {
        self->state.streams[o.id] = xds_stream{o.port, o.peer, {}, false};
        self->state.log->info("stream {} opened by {}", o.id, o.peer);
      },
      [=](const xds::stream_request& r) {
        auto& st = self->state;
        auto it = st.streams.find(r.id);
        if (it == st.streams.end())
          return;
        if (table_for(st, r.request.type_url) == nullptr) {
          st.log->warn("stream {}: type {} is not served; request ignored", r.id,
                       r.request.type_url);
          return;
        }
        auto [session, added]
            = it->second.sessions.try_emplace(r.request.type_url, r.request.type_url);
        auto outcome = session->second.on_request(r.request);
        if (outcome.kind == xds::request_kind::nack)
          st.log->warn("stream {} ({}) rejected {}: {}", r.id, it->second.peer, r.request.type_url,
                       r.request.error_message);
        pump(self, r.id, it->second);
      },
      [=](const xds::stream_written& w) {
        auto it = self->state.streams.find(w.id);
        if (it == self->state.streams.end())
          return;
        it->second.in_flight = false;
        pump(self, w.id, it->second);
      },
      [=](const xds::stream_closed& c) {
        if (self->state.streams.erase(c.id) > 0)
          self->state.log->info("stream {} closed", c.id);
      },
      [=](atom::status) { return self->state.streams.size(); },
  };
}

} // namespace ambient::actors
