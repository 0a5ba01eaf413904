#include "sim/crd_registry.hpp"

#include <algorithm>
#include <cctype>

namespace ambient::sim {

namespace {

std::string text_at(const json& v, std::initializer_list<std::string_view> path) {
  const auto* p = find_path(v, path);
  return p != nullptr && p->is_string() ? p->get<std::string>() : std::string{};
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

/// The name of `b` that `a` clashes with in the same group, or "" when none does.
std::string clash(const resource_type& a, const resource_type& b) {
  if (a.group != b.group)
    return {};
  if (a.resource == b.resource)
    return "plural \"" + a.resource + "\"";
  if (a.kind == b.kind)
    return "kind \"" + a.kind + "\"";
  if (a.singular == b.singular)
    return "singular \"" + a.singular + "\"";
  for (const auto& s : a.short_names)
    if (std::find(b.short_names.begin(), b.short_names.end(), s) != b.short_names.end())
      return "short name \"" + s + "\"";
  return {};
}

crd_definition refuse(int code, std::string message) {
  return {{}, std::move(message), code};
}

} // namespace

bool is_crd_resource(const resource_type& rt) {
  return rt.group == "apiextensions.k8s.io" && rt.resource == "customresourcedefinitions";
}

crd_definition crd_registry::read(const json& crd, const std::string& crd_name) const {
  auto group = text_at(crd, {"spec", "group"});
  auto plural = text_at(crd, {"spec", "names", "plural"});
  auto kind = text_at(crd, {"spec", "names", "kind"});
  auto scope = text_at(crd, {"spec", "scope"});
  if (group.empty() || plural.empty() || kind.empty())
    return refuse(422, "spec.group, spec.names.plural and spec.names.kind: Required value");
  if (crd_name != plural + "." + group)
    return refuse(422, "metadata.name: Invalid value: \"" + crd_name
                           + "\": must be spec.names.plural+\".\"+spec.group");
  if (scope != "Namespaced" && scope != "Cluster")
    return refuse(422, "spec.scope: Unsupported value: \"" + scope
                           + "\": supported values: \"Cluster\", \"Namespaced\"");
  resource_type base{
      group, "", plural, text_at(crd, {"spec", "names", "singular"}), kind, scope == "Namespaced",
      {},    {}};
  if (base.singular.empty())
    base.singular = lower(kind);
  if (const auto* shorts = find_path(crd, {"spec", "names", "shortNames"});
      shorts && shorts->is_array())
    for (const auto& s : *shorts)
      if (s.is_string())
        base.short_names.push_back(s.get<std::string>());
  crd_definition out;
  const auto* versions = find_path(crd, {"spec", "versions"});
  if (versions == nullptr || !versions->is_array() || versions->empty())
    return refuse(422, "spec.versions: Required value: must have at least one version");
  for (const auto& v : *versions) {
    auto name = v.is_object() ? text_at(v, {"name"}) : std::string{};
    if (name.empty())
      return refuse(422, "spec.versions[].name: Required value");
    const auto* served = find_path(v, {"served"});
    if (served == nullptr || !served->is_boolean() || !served->get<bool>())
      continue;
    auto t = base;
    t.version = name;
    out.types.push_back(std::move(t));
  }
  if (auto it = by_crd_.find(crd_name); it != by_crd_.end() && !it->second.empty()
                                        && it->second.front()->namespaced != base.namespaced)
    return refuse(422, "spec.scope: Invalid value: \"" + scope + "\": field is immutable");
  for (const auto& b : builtin_resources())
    if (auto what = clash(base, b); !what.empty())
      return refuse(409, "the " + what + " of group \"" + group
                             + "\" is taken by the builtin resource " + b.resource);
  for (const auto& [other, ts] : by_crd_) {
    if (other == crd_name || ts.empty())
      continue;
    if (auto what = clash(base, *ts.front()); !what.empty())
      return refuse(409, "the " + what + " of group \"" + group
                             + "\" is taken by the CustomResourceDefinition " + other);
  }
  return out;
}

std::vector<const resource_type*> crd_registry::set(const std::string& crd_name,
                                                    std::vector<resource_type> types) {
  std::vector<const resource_type*> now;
  for (auto& t : types) {
    // An identical type keeps its address, so the watches on it go on seeing its events.
    auto it = std::find(owned_.begin(), owned_.end(), t);
    if (it == owned_.end())
      now.push_back(&owned_.emplace_back(std::move(t)));
    else
      now.push_back(&*it);
  }
  auto before = erase(crd_name);
  std::erase_if(before, [&](const resource_type* t) {
    return std::any_of(now.begin(), now.end(),
                       [&](const resource_type* n) { return n->id() == t->id(); });
  });
  by_crd_[crd_name] = std::move(now);
  return before;
}

std::vector<const resource_type*> crd_registry::erase(const std::string& crd_name) {
  auto it = by_crd_.find(crd_name);
  if (it == by_crd_.end())
    return {};
  auto out = std::move(it->second);
  by_crd_.erase(it);
  return out;
}

const resource_type* crd_registry::find(std::string_view group, std::string_view version,
                                        std::string_view resource) const {
  for (const auto& [name, ts] : by_crd_)
    for (const auto* t : ts)
      if (t->group == group && t->version == version && t->resource == resource)
        return t;
  return nullptr;
}

std::vector<const resource_type*> crd_registry::types() const {
  std::vector<const resource_type*> out;
  for (const auto& [name, ts] : by_crd_)
    out.insert(out.end(), ts.begin(), ts.end());
  return out;
}

void set_crd_status(json& crd, const std::string& since) {
  json names = json::object();
  if (const auto* n = find_path(crd, {"spec", "names"}); n && n->is_object())
    names = *n;
  auto kind = text_at(names, {"kind"});
  if (text_at(names, {"singular"}).empty())
    names["singular"] = lower(kind);
  if (text_at(names, {"listKind"}).empty())
    names["listKind"] = kind + "List";
  auto condition = [&](const char* type, const char* reason, const char* message) {
    return json{{"type", type},
                {"status", "True"},
                {"lastTransitionTime", since},
                {"reason", reason},
                {"message", message}};
  };
  crd["status"] = json{
      {"conditions", json::array({condition("NamesAccepted", "NoConflicts", "no conflicts found"),
                                  condition("Established", "InitialNamesAccepted",
                                            "the initial names have been accepted")})},
      {"acceptedNames", std::move(names)},
      {"storedVersions", json::array()}};
  if (const auto* versions = find_path(crd, {"spec", "versions"}); versions && versions->is_array())
    for (const auto& v : *versions)
      if (const auto* storage = find_path(v, {"storage"});
          storage && storage->is_boolean() && storage->get<bool>())
        crd["status"]["storedVersions"].push_back(text_at(v, {"name"}));
}

} // namespace ambient::sim
