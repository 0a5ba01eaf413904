#include "messages/cluster_status_json.hpp"

#include <chrono>
#include <ctime>

#include "fleet/lifecycle.hpp"
#include "telemetry/log.hpp"

namespace ambient::messages {

namespace {

using telemetry::json_string;

const char* boolean(bool b) {
  return b ? "true" : "false";
}

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

std::string informer_json(const informer_status_row& r) {
  return "{\"resource\":" + json_string(r.resource) + ",\"synced\":" + boolean(r.synced)
         + ",\"healthy\":" + boolean(r.healthy) + ",\"lastError\":" + json_string(r.last_error)
         + ",\"objects\":" + std::to_string(r.objects) + ",\"relists\":" + std::to_string(r.relists)
         + ",\"watchRestarts\":" + std::to_string(r.watch_restarts)
         + ",\"errors\":" + std::to_string(r.errors) + "}";
}

} // namespace

std::string cluster_status_json(const cluster_store_status& status) {
  return telemetry::json_array(status.clusters, [](const cluster_status_row& c) {
    return "{\"id\":" + json_string(c.cluster_id) + ",\"secretName\":" + json_string(c.secret)
           + ",\"syncStatus\":" + json_string(c.sync_status) + ",\"state\":"
           + json_string(fleet::to_string(c.state)) + ",\"lastError\":" + json_string(c.last_error)
           + ",\"restarts\":" + std::to_string(c.restarts) + ",\"generation\":"
           + std::to_string(c.generation) + ",\"since\":" + json_string(rfc3339(c.since))
           + ",\"informers\":" + telemetry::json_array(c.informers, informer_json) + "}";
  });
}

} // namespace ambient::messages
