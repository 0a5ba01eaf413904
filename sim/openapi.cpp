#include "sim/openapi.hpp"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <vector>

#include "sim/json.hpp"

namespace ambient::sim {

namespace {

/// "api/v1" or "apis/<group>/<version>", as the root document keys a group version.
std::string group_version_path(std::string_view group, std::string_view version) {
  if (group.empty())
    return "api/" + std::string{version};
  return "apis/" + std::string{group} + "/" + std::string{version};
}

/// FNV-1a of the document in hex: a stand-in for the API server's SHA-512 that changes whenever
/// the document does.
std::string document_hash(const std::string& doc) {
  uint64_t h = 14695981039346656037ull;
  for (unsigned char c : doc) {
    h ^= c;
    h *= 1099511628211ull;
  }
  char out[17];
  std::snprintf(out, sizeof out, "%016llX", static_cast<unsigned long long>(h));
  return out;
}

json string_parameter(const char* name, const char* in) {
  json p{{"name", name}, {"in", in}};
  if (std::string_view{in} == "path")
    p["required"] = true;
  p["schema"] = json{{"type", "string"}};
  return p;
}

/// One operation of a resource: its action, GVK and, for writes, the write query parameters.
json operation(const resource_type& r, const char* action, bool write) {
  json op{{"operationId", std::string{action} + r.kind},
          {"x-kubernetes-action", action},
          {"x-kubernetes-group-version-kind",
           json{{"group", r.group}, {"version", r.version}, {"kind", r.kind}}}};
  if (write) {
    json params = json::array();
    for (const char* name : {"dryRun", "fieldManager", "fieldValidation"})
      params.push_back(string_parameter(name, "query"));
    op["parameters"] = std::move(params);
  }
  op["responses"] = json{{"200", json{{"description", "OK"}}}};
  return op;
}

/// The media types kube-sim takes for a PATCH: a CRD's objects take no strategic merge
/// patch, as on a real server (kubectl then computes a JSON merge patch).
json patch_body(bool builtin) {
  json content = json::object();
  content["application/merge-patch+json"] = json::object();
  if (builtin)
    content["application/strategic-merge-patch+json"] = json::object();
  return json{{"content", std::move(content)}, {"required", true}};
}

bool is_builtin(const resource_type& r) {
  const auto& all = builtin_resources();
  return std::any_of(all.begin(), all.end(), [&](const resource_type& b) { return b == r; });
}

} // namespace

std::string openapi_root_json(const served_types& types) {
  json paths = json::object();
  for (const auto* r : types) {
    auto key = group_version_path(r->group, r->version);
    if (paths.contains(key))
      continue;
    auto doc = openapi_group_version_json(types, r->group, r->version);
    paths[key] = json{{"serverRelativeURL", "/openapi/v3/" + key + "?hash=" + document_hash(*doc)}};
  }
  return dump_json(json{{"paths", std::move(paths)}});
}

std::optional<std::string> openapi_group_version_json(const served_types& types,
                                                      std::string_view group,
                                                      std::string_view version) {
  json paths = json::object();
  for (const auto* type : types) {
    const auto& r = *type;
    if (r.group != group || r.version != version)
      continue;
    std::string base = "/" + group_version_path(r.group, r.version) + "/";
    json path_params = json::array();
    if (r.namespaced) {
      base += "namespaces/{namespace}/";
      path_params.push_back(string_parameter("namespace", "path"));
    }
    json collection{{"parameters", path_params},
                    {"get", operation(r, "list", false)},
                    {"post", operation(r, "post", true)}};
    path_params.push_back(string_parameter("name", "path"));
    json item{{"parameters", std::move(path_params)},
              {"get", operation(r, "get", false)},
              {"put", operation(r, "put", true)},
              {"patch", operation(r, "patch", true)},
              {"delete", operation(r, "delete", false)}};
    item["patch"]["requestBody"] = patch_body(is_builtin(r));
    paths[base + r.resource] = std::move(collection);
    paths[base + r.resource + "/{name}"] = std::move(item);
  }
  if (paths.empty())
    return std::nullopt;
  json doc{{"openapi", "3.0.0"},
           {"info", json{{"title", "Kubernetes"}, {"version", "v1.32.0-kube-sim"}}},
           {"paths", std::move(paths)},
           {"components", json{{"schemas", json::object()}}}};
  return dump_json(doc);
}

std::optional<std::string> openapi_v3_document(const served_types& types,
                                               const std::vector<std::string_view>& parts) {
  if (parts.empty())
    return openapi_root_json(types);
  if (parts.size() == 2 && parts[0] == "api")
    return openapi_group_version_json(types, "", parts[1]);
  if (parts.size() == 3 && parts[0] == "apis" && !parts[1].empty())
    return openapi_group_version_json(types, parts[1], parts[2]);
  return std::nullopt;
}

} // namespace ambient::sim
