#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include <yaml-cpp/yaml.h>

#include "kube/kubeconfig.hpp"

/// Internal to the kubeconfig parser: readers of YAML fields whose problems name the field's path
/// ("clusters[a].cluster.server must be a string"), and names made safe to print.
namespace ambient::kube::yaml_fields {

/// An error message without the "cluster <id>: " prefix; nullopt means success.
using problem = std::optional<std::string>;

/// A name from the kubeconfig, made safe to print: printable ASCII only, at most 100 characters.
std::string show(std::string_view name);

/// Returns `map[key]` when present and not null.
std::optional<YAML::Node> field(const YAML::Node& map, const char* key);

/// Reads an optional string field at `path`; absent or null leaves `out` empty.
problem string_field(const YAML::Node& map, const char* key, const std::string& path,
                     std::string& out);

/// Reads an optional base64 field at `path` and decodes it.
problem data_field(const YAML::Node& map, const char* key, const std::string& path,
                   std::string& out);

/// Reads an optional file-path field, refused unless `opt` is allowed.
problem file_field(const YAML::Node& map, const char* key, const std::string& path,
                   const kubeconfig_policy& policy, kubeconfig_option opt, std::string& out);

/// One named entry of `clusters`, `users` or `contexts`: its name and its inner mapping.
struct entry {
  std::string name;
  YAML::Node body;
};

/// Reads the list `list_key` whose items are {name, `body_key`: mapping}; names must be unique.
problem entries(const YAML::Node& root, const char* list_key, const char* body_key,
                std::map<std::string, entry>& out);

} // namespace ambient::kube::yaml_fields
