#include "messages/cluster_status_json.hpp"

#include <chrono>
#include <ctime>

#include "base/json_writer.hpp"
#include "fleet/lifecycle.hpp"

namespace ambient::messages {

namespace {

using base::json_writer;

std::string rfc3339(std::chrono::system_clock::time_point t) {
  if (t == std::chrono::system_clock::time_point{})
    return "";
  auto secs = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

void write_informer(json_writer& w, const informer_status_row& r) {
  w.begin_object()
      .member("resource", r.resource)
      .member("synced", r.synced)
      .member("healthy", r.healthy)
      .member("lastError", r.last_error)
      .member("objects", r.objects)
      .member("relists", r.relists)
      .member("watchRestarts", r.watch_restarts)
      .member("errors", r.errors)
      .end_object();
}

} // namespace

std::string cluster_status_json(const cluster_store_status& status) {
  json_writer w;
  w.begin_array();
  for (const auto& c : status.clusters) {
    w.begin_object()
        .member("id", c.cluster_id)
        .member("secretName", c.secret)
        .member("syncStatus", c.sync_status)
        .member("state", fleet::to_string(c.state))
        .member("lastError", c.last_error)
        .member("restarts", c.restarts)
        .member("generation", c.generation)
        .member("since", rfc3339(c.since));
    // How old the served data is: seconds (to the millisecond), null when it is current.
    w.key("staleSeconds");
    if (c.stale_for)
      w.value(std::chrono::duration<double>(*c.stale_for).count());
    else
      w.value(nullptr);
    w.member("suspended", c.suspended);
    w.key("informers").begin_array();
    for (const auto& r : c.informers)
      write_informer(w, r);
    w.end_array().end_object();
  }
  w.end_array();
  return w.take();
}

std::string cluster_status_summary(const cluster_store_status& status) {
  std::string out;
  for (const auto& c : status.clusters) {
    out.append(c.cluster_id).append(": ").append(c.sync_status).append(" (");
    out.append(fleet::to_string(c.state)).append(")");
    if (c.suspended)
      out.append(", suspended");
    if (!c.last_error.empty())
      out.append(": ").append(c.last_error);
    out += '\n';
  }
  return out;
}

} // namespace ambient::messages
