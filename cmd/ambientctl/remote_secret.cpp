#include "cmd/ambientctl/remote_secret.hpp"

#include "kube/kubeconfig.hpp"
#include "kube/transport.hpp"

#include <array>
#include <variant>

#include <yaml-cpp/yaml.h>

namespace ambient::cmd {

namespace {

/// The prefix istioctl gives remote secrets' names.
constexpr std::string_view secret_prefix = "istio-remote-secret-";

/// Longest DNS-1123 subdomain (an object name) and label (a namespace).
constexpr size_t max_subdomain = 253;
constexpr size_t max_label = 63;

bool is_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/// Why `part` is not a DNS-1123 label (length not checked), or nullopt.
std::optional<std::string> check_label(std::string_view part) {
  if (part.empty())
    return "has an empty part between dots";
  for (char c : part)
    if (!is_alnum(c) && c != '-')
      return "may only hold lowercase letters, digits, '-' and '.'";
  if (!is_alnum(part.front()) || !is_alnum(part.back()))
    return "must start and end each dot-separated part with a lowercase letter or digit";
  return std::nullopt;
}

/// A scalar that YAML would read as something else than a string (a number, bool or null).
bool needs_quotes(std::string_view s) {
  static constexpr std::array<std::string_view, 11> words{
      "y", "n", "yes", "no", "on", "off", "true", "false", "null", "nan", "inf"};
  for (auto w : words)
    if (s == w)
      return true;
  // Names hold only [a-z0-9.-]: without a letter other than 'e' they may read as a number.
  return s.find_first_not_of("0123456789.-e") == std::string_view::npos;
}

/// Emits `s` as a plain scalar, double-quoted when YAML would not read it back as a string.
void emit_string(YAML::Emitter& out, std::string_view s) {
  if (needs_quotes(s))
    out << YAML::DoubleQuoted;
  out << std::string{s};
}

/// The entry named `name` of the list `key` (a deep copy), or an undefined node.
YAML::Node named_entry(const YAML::Node& root, const char* key, const std::string& name) {
  for (const auto& item : root[key])
    if (item.IsMap() && item["name"] && item["name"].IsScalar() && item["name"].Scalar() == name)
      return YAML::Clone(item);
  return YAML::Node{YAML::NodeType::Undefined};
}

/// Makes `n` and everything in it block style, whatever style the input kubeconfig used.
void use_block_style(YAML::Node n) {
  if (!n.IsMap() && !n.IsSequence())
    return;
  n.SetStyle(YAML::EmitterStyle::Block);
  for (auto it = n.begin(); it != n.end(); ++it)
    use_block_style(n.IsMap() ? it->second : *it);
}

/// The kubeconfig reduced to its current context; `rc` is what parse_kubeconfig resolved from it.
std::optional<std::string> minify(std::string_view text, const kube::rest_config& rc) {
  try {
    const YAML::Node root = YAML::Load(std::string{text});
    YAML::Node out{YAML::NodeType::Map};
    out["apiVersion"] = "v1";
    out["kind"] = "Config";
    for (auto [key, name] :
         {std::pair{"clusters", &rc.cluster_name}, std::pair{"contexts", &rc.context_name},
          std::pair{"users", &rc.user_name}}) {
      auto entry = named_entry(root, key, *name);
      if (!entry.IsDefined())
        return std::nullopt;
      out[key].push_back(entry);
    }
    out["current-context"] = rc.context_name;
    use_block_style(out);
    YAML::Emitter e;
    e << out;
    if (!e.good())
      return std::nullopt;
    return std::string{e.c_str()} + "\n";
  } catch (const YAML::Exception&) {
    return std::nullopt;
  }
}

} // namespace

std::optional<std::string> check_cluster_name(std::string_view name) {
  const auto bad = [&](const std::string& why) {
    return "cluster name \"" + std::string{name.substr(0, 100)} + "\" " + why;
  };
  if (name.empty())
    return std::string{"cluster name is empty (set --name)"};
  if (secret_prefix.size() + name.size() > max_subdomain)
    return bad("is too long: " + std::string{secret_prefix} + "NAME must fit in "
               + std::to_string(max_subdomain) + " characters");
  for (size_t start = 0;;) {
    auto dot = name.find('.', start);
    if (auto why = check_label(name.substr(start, dot - start)))
      return bad(*why);
    if (dot == std::string_view::npos)
      break;
    start = dot + 1;
  }
  return std::nullopt;
}

std::optional<std::string> check_namespace(std::string_view ns) {
  if (ns.empty())
    return std::string{"namespace is empty"};
  if (ns.size() > max_label)
    return "namespace \"" + std::string{ns.substr(0, 100)} + "\" is longer than "
           + std::to_string(max_label) + " characters";
  if (ns.find('.') != std::string_view::npos)
    return "namespace \"" + std::string{ns} + "\" may not contain '.'";
  if (auto why = check_label(ns))
    return "namespace \"" + std::string{ns} + "\" " + *why;
  return std::nullopt;
}

remote_secret_result make_remote_secret(std::string_view kubeconfig_text, std::string_view name,
                                        std::string_view ns) {
  if (auto why = check_cluster_name(name))
    return {{}, *why};
  if (auto why = check_namespace(ns))
    return {{}, *why};
  auto parsed = kube::parse_kubeconfig(kubeconfig_text, name, kube::kubeconfig_policy{});
  if (auto* err = std::get_if<kube::kubeconfig_error>(&parsed))
    return {{}, err->message};
  const auto& rc = std::get<kube::rest_config>(parsed);
  auto settings = kube::to_connection_settings(rc);
  if (auto* err = std::get_if<kube::kubeconfig_error>(&settings))
    return {{}, "cluster " + std::string{name} + ": " + err->message};
  auto minified = minify(kubeconfig_text, rc);
  if (!minified)
    return {{}, "cluster " + std::string{name} + ": the kubeconfig could not be minified"};
  // The secret must carry a kubeconfig ambientd accepts: check the one actually written.
  auto again = kube::parse_kubeconfig(*minified, name, kube::kubeconfig_policy{});
  if (auto* err = std::get_if<kube::kubeconfig_error>(&again))
    return {{}, "minified kubeconfig refused: " + err->message};

  const std::string key{name};
  YAML::Emitter out;
  out << YAML::BeginMap;
  out << YAML::Key << "apiVersion" << YAML::Value << "v1";
  out << YAML::Key << "kind" << YAML::Value << "Secret";
  out << YAML::Key << "metadata" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "name" << YAML::Value << std::string{secret_prefix} + key;
  out << YAML::Key << "namespace" << YAML::Value;
  emit_string(out, ns);
  out << YAML::Key << "labels" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "istio/multiCluster" << YAML::Value << YAML::DoubleQuoted << "true";
  out << YAML::EndMap;
  out << YAML::Key << "annotations" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "networking.istio.io/cluster" << YAML::Value;
  emit_string(out, key);
  out << YAML::EndMap;
  out << YAML::EndMap; // metadata
  out << YAML::Key << "stringData" << YAML::Value << YAML::BeginMap;
  out << YAML::Key;
  emit_string(out, key);
  out << YAML::Value << YAML::Literal << *minified;
  out << YAML::EndMap;
  out << YAML::EndMap;
  if (!out.good())
    return {{}, std::string{"cannot emit the secret: "} + out.GetLastError()};
  std::string yaml = out.c_str();
  if (!yaml.ends_with('\n'))
    yaml += '\n';
  return {std::move(yaml), {}};
}

} // namespace ambient::cmd
