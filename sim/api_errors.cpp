#include "sim/api_errors.hpp"

#include "sim/json.hpp"

namespace ambient::sim {

std::string status_json(const api_error& e) {
  std::string out
      = R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":)";
  out += dump_json(e.message);
  out += R"(,"reason":)";
  out += dump_json(e.reason);
  if (!e.kind.empty() || !e.name.empty()) {
    out += R"(,"details":{)";
    bool first = true;
    if (!e.name.empty()) {
      out += R"("name":)";
      out += dump_json(e.name);
      first = false;
    }
    if (!e.kind.empty()) {
      out += first ? "" : ",";
      out += R"("kind":)";
      out += dump_json(e.kind);
    }
    out += '}';
  }
  out += R"(,"code":)" + std::to_string(e.code) + "}";
  return out;
}

api_error bad_request(std::string message) {
  return {400, "BadRequest", std::move(message), {}, {}};
}

api_error not_found(const resource_type& rt, const std::string& name) {
  return {404, "NotFound", rt.resource + " \"" + name + "\" not found", rt.resource, name};
}

api_error conflict(const resource_type& rt, const std::string& name) {
  return {409, "Conflict",
          "Operation cannot be fulfilled on " + rt.resource + " \"" + name
              + "\": the object has been modified; please apply your changes to the latest version "
                "and try again",
          rt.resource, name};
}

api_error invalid_object(const resource_type& rt, const std::string& name, std::string message) {
  return {422, "Invalid", rt.kind + " \"" + name + "\" is invalid: " + message, rt.resource, name};
}

} // namespace ambient::sim
