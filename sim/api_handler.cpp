#include "sim/api_handler.hpp"

#include <algorithm>
#include <vector>

#include "sim/discovery.hpp"
#include "sim/openapi.hpp"
#include "sim/resource_handler.hpp"
#include "sim/token_request.hpp"
#include "sim/token_review.hpp"

namespace ambient::sim {

namespace {

std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> parts;
  while (!path.empty()) {
    if (path.front() == '/') {
      path.remove_prefix(1);
      continue;
    }
    auto slash = path.find('/');
    parts.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos)
      break;
    path.remove_prefix(slash);
  }
  return parts;
}

api_response json_ok(std::string body, int status = 200) {
  return {status, std::move(body), "application/json"};
}

api_response path_not_found() {
  return error_response(
      {404, "NotFound", "the server could not find the requested resource", {}, {}});
}

api_response method_not_allowed(const std::string& method) {
  return error_response({405,
                         "MethodNotAllowed",
                         "the server does not allow this method on the requested resource ("
                             + method + "; only POST)",
                         {},
                         {}});
}

} // namespace

api_response error_response(const api_error& e) {
  return {e.code, status_json(e), "application/json"};
}

api_outcome handle_api_request(store& s, const api_request& req, const std::string& server_address,
                               const token_signer* tokens) {
  std::string_view target = req.target;
  auto qpos = target.find('?');
  auto raw_path = target.substr(0, qpos);
  auto query
      = parse_query(qpos == std::string_view::npos ? std::string_view{} : target.substr(qpos + 1));
  if (!query)
    return error_response({400, "BadRequest", "malformed query string", {}, {}});
  auto decoded = percent_decode(raw_path, false);
  if (!decoded)
    return error_response({400, "BadRequest", "malformed URL path", {}, {}});
  auto parts = split_path(*decoded);

  if (parts.size() == 1 && (parts[0] == "healthz" || parts[0] == "livez" || parts[0] == "readyz"))
    return api_response{200, "ok", "text/plain"};
  if (req.method == "GET" && parts.size() == 1 && parts[0] == "version")
    return json_ok(version_json());

  if (parts.size() >= 2 && parts[0] == "openapi" && parts[1] == "v3") {
    if (req.method != "GET")
      return path_not_found();
    auto doc = openapi_v3_document(s.served_types(),
                                   std::vector<std::string_view>(parts.begin() + 2, parts.end()));
    return doc ? json_ok(std::move(*doc)) : path_not_found();
  }

  std::string_view group, version;
  size_t rest = 0;
  if (!parts.empty() && parts[0] == "api") {
    if (parts.size() == 1)
      return json_ok(api_versions_json(server_address));
    version = parts[1];
    rest = 2;
  } else if (!parts.empty() && parts[0] == "apis") {
    if (parts.size() == 1)
      return json_ok(api_group_list_json(s.served_types()));
    group = parts[1];
    if (parts.size() == 2) {
      auto doc = api_group_json(s.served_types(), group);
      return doc ? json_ok(std::move(*doc)) : path_not_found();
    }
    version = parts[2];
    rest = 3;
  } else {
    return path_not_found();
  }
  if (parts.size() == rest) {
    auto doc = resource_list_json(s.served_types(), group, version);
    return doc ? json_ok(std::move(*doc)) : path_not_found();
  }
  // [namespaces/<ns>/]<resource>[/<name>]
  std::string ns;
  auto tail = std::vector<std::string_view>(parts.begin() + static_cast<long>(rest), parts.end());
  if (tail.size() >= 3 && tail[0] == "namespaces") {
    ns = std::string{tail[1]};
    tail.erase(tail.begin(), tail.begin() + 2);
  }
  if (tokens != nullptr && group.empty() && version == "v1" && !ns.empty() && tail.size() == 3
      && tail[0] == "serviceaccounts" && tail[2] == "token") {
    if (req.method != "POST")
      return method_not_allowed(req.method);
    return handle_token_request(s, *tokens, ns, std::string{tail[1]}, req, s.now());
  }
  if (tokens != nullptr && group == "authentication.k8s.io" && version == "v1" && ns.empty()
      && tail.size() == 1 && tail[0] == "tokenreviews") {
    if (req.method != "POST")
      return method_not_allowed(req.method);
    return handle_token_review(s, *tokens, req, s.now());
  }
  if (tail.empty() || tail.size() > 2)
    return path_not_found();
  const auto* rt = s.find_type(group, version, tail[0]);
  if (rt == nullptr)
    return path_not_found();
  if (!rt->namespaced && !ns.empty())
    return path_not_found();
  std::string name = tail.size() == 2 ? std::string{tail[1]} : std::string{};
  if (rt->namespaced && ns.empty() && (!name.empty() || req.method != "GET"))
    return path_not_found();
  return handle_resource_request(s, req, *rt, ns, name, *query);
}

} // namespace ambient::sim
