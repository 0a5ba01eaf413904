// The kubeconfig features an operator may allow (--insecure-kubeconfig-options).
#include "kube/kubeconfig.hpp"

#include "base/spelling.hpp"
#include "kube/kubeconfig_yaml.hpp"

namespace ambient::kube {

namespace {

using yaml_fields::show;

constexpr base::spelling_table<kubeconfig_option, 6> option_names{{
    {"exec", kubeconfig_option::exec},
    {"authProvider", kubeconfig_option::auth_provider},
    {"tokenFile", kubeconfig_option::token_file},
    {"clientKey", kubeconfig_option::client_key_file},
    {"clientCertificate", kubeconfig_option::client_cert_file},
    {"certificateAuthority", kubeconfig_option::ca_file},
}};

} // namespace

std::optional<kubeconfig_option> parse_kubeconfig_option(std::string_view name) {
  return base::parse_spelling(option_names, name);
}

std::string_view to_string(kubeconfig_option opt) {
  return base::spelling_of(option_names, opt);
}

std::variant<kubeconfig_policy, kubeconfig_error> parse_kubeconfig_policy(std::string_view flag) {
  kubeconfig_policy policy;
  while (!flag.empty()) {
    auto comma = flag.find(',');
    auto item = flag.substr(0, comma);
    flag = comma == std::string_view::npos ? std::string_view{} : flag.substr(comma + 1);
    while (!item.empty() && (item.front() == ' ' || item.front() == '\t'))
      item.remove_prefix(1);
    while (!item.empty() && (item.back() == ' ' || item.back() == '\t'))
      item.remove_suffix(1);
    if (item.empty())
      continue;
    auto opt = parse_kubeconfig_option(item);
    if (!opt) {
      std::string known;
      for (const auto& [spelling, o] : option_names)
        known += (known.empty() ? "" : ", ") + std::string{spelling};
      return kubeconfig_error{"unknown --insecure-kubeconfig-options value \"" + show(item)
                              + "\" (known: " + known + ")"};
    }
    policy.allowed.insert(*opt);
  }
  return policy;
}

} // namespace ambient::kube
