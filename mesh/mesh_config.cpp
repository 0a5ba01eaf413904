#include "mesh/mesh_config.hpp"

#include <algorithm>
#include <initializer_list>
#include <optional>
#include <set>
#include <utility>

#include <yaml-cpp/yaml.h>

namespace ambient::mesh {

namespace {

/// An error message with its field path; nullopt means success.
using problem = std::optional<std::string>;

/// Largest mesh config accepted; a ConfigMap cannot hold more than 1 MiB anyway.
constexpr size_t max_mesh_config_size = 1024 * 1024;

std::string child(const std::string& path, std::string_view key) {
  return path.empty() ? std::string{key} : path + "." + std::string{key};
}

std::string index(const std::string& path, size_t i) {
  return path + "[" + std::to_string(i) + "]";
}

std::string at(const std::string& path, const std::string& what) {
  return path.empty() ? what : path + ": " + what;
}

bool present(const YAML::Node& n) {
  return n.IsDefined() && !n.IsNull();
}

/// Calls `field(key, value)` for each entry of the mapping `n` at `path`, refusing non-string,
/// duplicate and unknown keys (`known`), as a strict protobuf decode would.
template <class F>
problem each_field(const YAML::Node& n, const std::string& path, std::string_view what,
                   std::initializer_list<std::string_view> known, F&& field) {
  if (!n.IsMap())
    return at(path, "expected " + std::string{what});
  std::set<std::string, std::less<>> seen;
  for (const auto& kv : n) {
    if (!kv.first.IsScalar())
      return at(path, "keys must be strings");
    const std::string& key = kv.first.Scalar();
    if (std::find(known.begin(), known.end(), key) == known.end())
      return at(path, "unknown field " + quoted(key));
    if (!seen.insert(key).second)
      return at(path, "duplicate field " + quoted(key));
    if (auto p = field(key, kv.second))
      return p;
  }
  return std::nullopt;
}

problem read_string(const YAML::Node& n, const std::string& path, std::string& out) {
  if (!n.IsScalar())
    return at(path, "expected a string");
  out = n.Scalar();
  return std::nullopt;
}

problem read_non_empty(const YAML::Node& n, const std::string& path, std::string& out) {
  if (auto p = read_string(n, path, out))
    return p;
  if (out.empty())
    return at(path, "must not be empty");
  return std::nullopt;
}

problem read_string_list(const YAML::Node& n, const std::string& path,
                         std::vector<std::string>& out) {
  if (!present(n))
    return std::nullopt;
  if (!n.IsSequence())
    return at(path, "expected a list of strings");
  for (size_t i = 0; i < n.size(); ++i)
    if (auto p = read_string(n[i], index(path, i), out.emplace_back()))
      return p;
  return std::nullopt;
}

problem read_requirement(const YAML::Node& n, const std::string& path, label_requirement& out) {
  std::string op;
  auto p
      = each_field(n, path, "a label selector requirement", {"key", "operator", "values"},
                   [&](const std::string& key, const YAML::Node& v) -> problem {
                     if (key == "key")
                       return present(v) ? read_string(v, child(path, key), out.key) : std::nullopt;
                     if (key == "operator")
                       return present(v) ? read_string(v, child(path, key), op) : std::nullopt;
                     return read_string_list(v, child(path, key), out.values);
                   });
  if (p)
    return p;
  auto parsed = parse_selector_operator(op);
  if (!parsed)
    return at(child(path, "operator"),
              quoted(op)
                  + " is not a valid label selector operator (In, NotIn, Exists or "
                    "DoesNotExist)");
  out.op = *parsed;
  return std::nullopt;
}

/// Reads a LabelSelector; null stays the empty selector (istiod reads nil as Everything).
problem read_selector(const YAML::Node& n, const std::string& path, label_selector& out) {
  if (!present(n))
    return std::nullopt;
  kube::string_map labels;
  std::vector<label_requirement> exprs;
  auto p = each_field(n, path, "a LabelSelector mapping", {"matchLabels", "matchExpressions"},
                      [&](const std::string& key, const YAML::Node& v) -> problem {
                        const auto here = child(path, key);
                        if (!present(v))
                          return std::nullopt;
                        if (key == "matchLabels") {
                          if (!v.IsMap())
                            return at(here, "expected a mapping of label keys to values");
                          for (const auto& kv : v) {
                            if (!kv.first.IsScalar())
                              return at(here, "keys must be strings");
                            auto& [label, value] = labels.emplace_back(kv.first.Scalar(), "");
                            if (auto q = read_string(kv.second, child(here, label), value))
                              return q;
                          }
                          return std::nullopt;
                        }
                        if (!v.IsSequence())
                          return at(here, "expected a list of label selector requirements");
                        for (size_t i = 0; i < v.size(); ++i)
                          if (auto q = read_requirement(v[i], index(here, i), exprs.emplace_back()))
                            return q;
                        return std::nullopt;
                      });
  if (p)
    return p;
  auto made = label_selector::make(std::move(labels), std::move(exprs), path);
  if (auto* e = std::get_if<config_error>(&made))
    return e->message;
  out = std::get<label_selector>(std::move(made));
  return std::nullopt;
}

/// Reads a list of LabelSelectors; entries must be mappings (`{}` selects everything).
problem read_selector_list(const YAML::Node& n, const std::string& path,
                           std::vector<label_selector>& out) {
  if (!n.IsSequence())
    return at(path, "expected a list of LabelSelectors");
  for (size_t i = 0; i < n.size(); ++i) {
    const auto item = index(path, i);
    if (!n[i].IsMap())
      return at(item, "expected a LabelSelector mapping");
    if (auto p = read_selector(n[i], item, out.emplace_back()))
      return p;
  }
  return std::nullopt;
}

problem read_scope_configs(const YAML::Node& n, const std::string& path,
                           std::vector<service_scope_config>& out) {
  if (!n.IsSequence())
    return at(path, "expected a list of service scope configs");
  for (size_t i = 0; i < n.size(); ++i) {
    const auto item = index(path, i);
    auto& c = out.emplace_back();
    auto p = each_field(n[i], item, "a service scope config mapping",
                        {"namespaceSelector", "servicesSelector", "scope"},
                        [&](const std::string& key, const YAML::Node& v) -> problem {
                          if (key == "namespaceSelector")
                            return read_selector(v, child(item, key), c.namespace_selector);
                          if (key == "servicesSelector")
                            return read_selector(v, child(item, key), c.services_selector);
                          if (!present(v))
                            return std::nullopt;
                          if (v.IsScalar() && v.Scalar() == "LOCAL")
                            c.scope = service_scope::local;
                          else if (v.IsScalar() && v.Scalar() == "GLOBAL")
                            c.scope = service_scope::global;
                          else
                            return at(child(item, key), "expected LOCAL or GLOBAL");
                          return std::nullopt;
                        });
    if (p)
      return p;
  }
  return std::nullopt;
}

problem
read_cluster_selectors(const YAML::Node& n, const std::string& path,
                       std::map<std::string, std::vector<label_selector>, std::less<>>& out) {
  if (!n.IsMap())
    return at(path, "expected a mapping of cluster IDs to lists of LabelSelectors");
  for (const auto& kv : n) {
    if (!kv.first.IsScalar() || kv.first.Scalar().empty())
      return at(path, "cluster IDs must be non-empty strings");
    const std::string& cluster = kv.first.Scalar();
    auto [it, fresh] = out.try_emplace(cluster);
    if (!fresh)
      return at(path, "duplicate cluster ID " + quoted(cluster));
    if (auto p = read_selector_list(kv.second, child(path, cluster), it->second))
      return p;
  }
  return std::nullopt;
}

/// Everything after YAML parsing; yaml-cpp may throw, the caller catches.
problem read_config(const YAML::Node& root, mesh_config& out) {
  if (!present(root))
    return std::nullopt;
  return each_field(
      root, "", "the mesh config to be a mapping",
      {"trustDomain", "clusterDomain", "clusterId", "network", "rootNamespace",
       "discoverySelectors", "serviceScopeConfigs", "clusterDiscoverySelectors"},
      [&](const std::string& key, const YAML::Node& v) -> problem {
        if (!present(v))
          return std::nullopt; // null: the default, as protobuf's JSON mapping reads it
        if (key == "trustDomain")
          return read_non_empty(v, key, out.trust_domain);
        if (key == "clusterDomain")
          return read_non_empty(v, key, out.cluster_domain);
        if (key == "clusterId")
          return read_non_empty(v, key, out.cluster_id);
        if (key == "network")
          return read_string(v, key, out.network);
        if (key == "rootNamespace")
          return read_non_empty(v, key, out.root_namespace);
        if (key == "discoverySelectors")
          return read_selector_list(v, key, out.discovery_selectors);
        if (key == "serviceScopeConfigs") {
          out.service_scope_configs.clear(); // present: replaces the profile default
          return read_scope_configs(v, key, out.service_scope_configs);
        }
        return read_cluster_selectors(v, key, out.cluster_discovery_selectors);
      });
}

} // namespace

std::vector<service_scope_config> default_service_scope_configs() {
  service_scope_config global;
  auto made = label_selector::make(
      {}, {label_requirement{"istio.io/global", selector_operator::in, {"true"}}}, "");
  global.services_selector = std::get<label_selector>(std::move(made)); // valid by construction
  global.scope = service_scope::global;
  return {std::move(global)};
}

std::variant<mesh_config, config_error> parse_mesh_config(std::string_view yaml) {
  if (yaml.size() > max_mesh_config_size)
    return config_error{"mesh config is larger than 1 MiB"};
  try {
    const YAML::Node root = YAML::Load(std::string{yaml});
    mesh_config out;
    if (auto p = read_config(root, out))
      return config_error{std::move(*p)};
    return out;
  } catch (const YAML::ParserException& e) {
    return config_error{"mesh config is not valid YAML (line " + std::to_string(e.mark.line + 1)
                        + " column " + std::to_string(e.mark.column + 1) + ")"};
  } catch (const std::exception&) {
    return config_error{"mesh config could not be read"};
  }
}

const std::vector<label_selector>& selectors_for(const mesh_config& config,
                                                 std::string_view cluster_id) {
  auto i = config.cluster_discovery_selectors.find(cluster_id);
  return i == config.cluster_discovery_selectors.end() ? config.discovery_selectors : i->second;
}

service_scope scope_of(const mesh_config& config, const kube::string_map& namespace_labels,
                       const kube::string_map& service_labels) {
  // istiod (services.go matchServiceScope) walks every entry and returns GLOBAL at the first
  // entry that matches both selectors AND says GLOBAL; a matching LOCAL entry is passed over, so
  // a later GLOBAL match still wins. Selectors are validated at parse time, so no entry is skipped
  // as invalid here.
  for (const auto& c : config.service_scope_configs)
    if (c.scope == service_scope::global && c.namespace_selector.matches(namespace_labels)
        && c.services_selector.matches(service_labels))
      return service_scope::global;
  return service_scope::local;
}

} // namespace ambient::mesh
