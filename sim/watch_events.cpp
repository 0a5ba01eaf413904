#include "sim/watch_events.hpp"

namespace ambient::sim {

std::string watch_event_json(const watch_event& e) {
  std::string out;
  out.reserve(e.object->json.size() + 32);
  out += R"({"type":")";
  out += to_string(e.type);
  out += R"(","object":)";
  out += e.object->json;
  out += '}';
  return out;
}

std::string bookmark_event_json(const resource_type& rt, uint64_t rv) {
  return R"({"type":"BOOKMARK","object":{"kind":")" + rt.kind + R"(","apiVersion":")"
         + rt.api_version() + R"(","metadata":{"resourceVersion":")" + std::to_string(rv)
         + R"(","annotations":{"k8s.io/initial-events-end":"true"}}}})";
}

std::string error_event_json(const api_error& e) {
  return R"({"type":"ERROR","object":)" + status_json(e) + "}";
}

} // namespace ambient::sim
