#include "kube/kubeconfig_yaml.hpp"

#include "base/base64.hpp"

namespace ambient::kube::yaml_fields {

std::string show(std::string_view name) {
  std::string out;
  for (char c : name.substr(0, 100))
    out.push_back(c >= 0x20 && c <= 0x7e ? c : '?');
  if (name.size() > 100)
    out += "...";
  return out;
}

std::optional<YAML::Node> field(const YAML::Node& map, const char* key) {
  YAML::Node n = map[key];
  if (!n.IsDefined() || n.IsNull())
    return std::nullopt;
  return n;
}

problem string_field(const YAML::Node& map, const char* key, const std::string& path,
                     std::string& out) {
  auto n = field(map, key);
  if (!n)
    return std::nullopt;
  if (!n->IsScalar())
    return path + "." + key + " must be a string";
  out = n->Scalar();
  return std::nullopt;
}

problem data_field(const YAML::Node& map, const char* key, const std::string& path,
                   std::string& out) {
  std::string text;
  if (auto p = string_field(map, key, path, text))
    return p;
  if (text.empty())
    return std::nullopt;
  auto decoded = base::decode_base64(text);
  if (!decoded)
    return path + "." + key + " is not valid base64";
  out = std::move(*decoded);
  return std::nullopt;
}

problem file_field(const YAML::Node& map, const char* key, const std::string& path,
                   const kubeconfig_policy& policy, kubeconfig_option opt, std::string& out) {
  if (auto p = string_field(map, key, path, out))
    return p;
  if (!out.empty() && !policy.allowed.contains(opt))
    return path + "." + key + " is not allowed (allow with --insecure-kubeconfig-options="
           + std::string{to_string(opt)} + ")";
  return std::nullopt;
}

problem entries(const YAML::Node& root, const char* list_key, const char* body_key,
                std::map<std::string, entry>& out) {
  auto list = field(root, list_key);
  if (!list)
    return std::nullopt;
  if (!list->IsSequence())
    return std::string{list_key} + " must be a list";
  for (size_t i = 0; i < list->size(); ++i) {
    const YAML::Node item = (*list)[i];
    auto at = std::string{list_key} + "[" + std::to_string(i) + "]";
    if (!item.IsMap())
      return at + " must be a mapping";
    std::string name;
    if (auto p = string_field(item, "name", at, name))
      return p;
    if (name.empty())
      return at + ".name is missing";
    at = std::string{list_key} + "[" + show(name) + "]";
    auto body = field(item, body_key);
    if (!body)
      return at + "." + body_key + " is missing";
    if (!body->IsMap())
      return at + "." + body_key + " must be a mapping";
    if (out.contains(name))
      return std::string{list_key} + " has two entries named \"" + show(name) + "\"";
    out.emplace(name, entry{name, *body});
  }
  return std::nullopt;
}

} // namespace ambient::kube::yaml_fields
