#include "sim/discovery.hpp"

#include <algorithm>
#include <utility>
#include <vector>

#include "sim/json.hpp"
#include "sim/resources.hpp"

namespace ambient::sim {

namespace {

void append_string_array(std::string& out, const std::vector<std::string>& xs) {
  out += '[';
  for (size_t i = 0; i < xs.size(); ++i) {
    if (i)
      out += ',';
    out += dump_json(xs[i]);
  }
  out += ']';
}

/// An endpoint that is not a stored resource: clients may only create (POST) it.
struct create_only_endpoint {
  std::string group;   ///< where discovery lists it
  std::string version; ///< where discovery lists it
  std::string name;    ///< "tokenreviews", or a subresource "serviceaccounts/token"
  std::string singular;
  std::string kind;
  bool namespaced = false;
  std::string kind_group; ///< the group of `kind` when it differs from `group` (subresources)
};

/// The token endpoints (token_request.hpp, token_review.hpp).
const std::vector<create_only_endpoint>& create_only_endpoints() {
  static const std::vector<create_only_endpoint> all{
      {"", "v1", "serviceaccounts/token", "", "TokenRequest", true, "authentication.k8s.io"},
      {"authentication.k8s.io", "v1", "tokenreviews", "tokenreview", "TokenReview", false, ""},
  };
  return all;
}

/// The groups kube-sim serves, in first-seen order, with their versions.
std::vector<std::pair<std::string, std::vector<std::string>>>
served_groups(const served_types& types) {
  std::vector<std::pair<std::string, std::vector<std::string>>> groups;
  auto add = [&](const std::string& group, const std::string& version) {
    if (group.empty())
      return;
    auto it = std::find_if(groups.begin(), groups.end(), [&](auto& g) { return g.first == group; });
    if (it == groups.end()) {
      groups.push_back({group, {version}});
    } else if (std::find(it->second.begin(), it->second.end(), version) == it->second.end()) {
      it->second.push_back(version);
    }
  };
  for (const auto* r : types)
    add(r->group, r->version);
  for (const auto& e : create_only_endpoints())
    add(e.group, e.version);
  return groups;
}

std::string group_json(const std::string& name, const std::vector<std::string>& versions) {
  std::string out = R"({"name":")" + name + R"(","versions":[)";
  for (size_t i = 0; i < versions.size(); ++i) {
    if (i)
      out += ',';
    out += R"({"groupVersion":")" + name + "/" + versions[i] + R"(","version":")" + versions[i]
           + R"("})";
  }
  out += R"(],"preferredVersion":{"groupVersion":")" + name + "/" + versions.front()
         + R"(","version":")" + versions.front() + R"("}})";
  return out;
}

} // namespace

std::string version_json() {
  return R"({"major":"1","minor":"32","gitVersion":"v1.32.0-kube-sim","gitCommit":"kube-sim",)"
         R"("gitTreeState":"clean","buildDate":"2026-01-01T00:00:00Z","goVersion":"go1.23",)"
         R"("compiler":"gc","platform":"linux/amd64"})";
}

std::string api_versions_json(const std::string& server_address) {
  std::string out = R"({"kind":"APIVersions","versions":["v1"],"serverAddressByClientCIDRs":[)"
                    R"({"clientCIDR":"0.0.0.0/0","serverAddress":)";
  out += dump_json(server_address);
  out += R"(}]})";
  return out;
}

std::string api_group_list_json(const served_types& types) {
  std::string out = R"({"kind":"APIGroupList","apiVersion":"v1","groups":[)";
  bool first = true;
  for (const auto& [name, versions] : served_groups(types)) {
    if (!first)
      out += ',';
    first = false;
    out += group_json(name, versions);
  }
  out += "]}";
  return out;
}

std::optional<std::string> api_group_json(const served_types& types, std::string_view group) {
  for (const auto& [name, versions] : served_groups(types))
    if (name == group)
      return R"({"kind":"APIGroup","apiVersion":"v1",)" + group_json(name, versions).substr(1);
  return std::nullopt;
}

std::optional<std::string> resource_list_json(const served_types& types, std::string_view group,
                                              std::string_view version) {
  auto here = [&](const auto& r) {
    return r.group == group && r.version == version;
  };
  bool served
      = std::any_of(types.begin(), types.end(), [&](const resource_type* r) { return here(*r); })
        || std::any_of(create_only_endpoints().begin(), create_only_endpoints().end(), here);
  if (!served)
    return std::nullopt;
  std::string gv
      = group.empty() ? std::string{version} : std::string{group} + "/" + std::string{version};
  std::string out = R"({"kind":"APIResourceList","apiVersion":"v1","groupVersion":")" + gv
                    + R"(","resources":[)";
  bool first = true;
  for (const auto* type : types) {
    const auto& r = *type;
    if (!here(r))
      continue;
    if (!first)
      out += ',';
    first = false;
    out += R"({"name":")" + r.resource + R"(","singularName":")" + r.singular + R"(","namespaced":)"
           + (r.namespaced ? "true" : "false") + R"(,"kind":")" + r.kind + R"(","verbs":)";
    append_string_array(out, resource_verbs());
    if (!r.short_names.empty()) {
      out += R"(,"shortNames":)";
      append_string_array(out, r.short_names);
    }
    out += '}';
  }
  for (const auto& e : create_only_endpoints()) {
    if (!here(e))
      continue;
    if (!first)
      out += ',';
    first = false;
    out += R"({"name":")" + e.name + R"(","singularName":")" + e.singular + R"(","namespaced":)"
           + (e.namespaced ? "true" : "false");
    if (!e.kind_group.empty())
      out += R"(,"group":")" + e.kind_group + R"(","version":"v1")";
    out += R"(,"kind":")" + e.kind + R"(","verbs":["create"]})";
  }
  out += "]}";
  return out;
}

} // namespace ambient::sim
