#include "xds/node_identity_check.hpp"

#include "xds/spiffe_id.hpp"

namespace ambient::xds {

std::string config_namespace(const node_claim& node) {
  if (!node.namespace_.empty())
    return node.namespace_;
  std::string_view id = node.id;
  for (int i = 0; i < 3; ++i) {
    auto tilde = id.find('~');
    if (tilde == std::string_view::npos)
      return {};
    id.remove_prefix(tilde + 1);
  }
  if (id.find('~') != std::string_view::npos)
    return {}; // more than four parts: not a service node id
  auto dot = id.find('.');
  return dot == std::string_view::npos ? std::string{} : std::string{id.substr(0, dot)};
}

std::string node_identity_refusal(const std::vector<std::string>& spiffe_ids,
                                  const node_claim& node) {
  auto ns = config_namespace(node);
  for (const auto& raw : spiffe_ids) {
    auto id = parse_spiffe_id(raw);
    if (!id)
      continue;
    if (!ns.empty() && id->namespace_ != ns)
      continue;
    if (!node.service_account.empty() && id->service_account != node.service_account)
      continue;
    return {};
  }
  std::string joined;
  for (const auto& id : spiffe_ids)
    joined += (joined.empty() ? "" : ", ") + id;
  return "authorization failed: no identity (" + joined + ") matches the node's namespace \"" + ns
         + "\""
         + (node.service_account.empty() ? ""
                                         : " and service account \"" + node.service_account + "\"");
}

} // namespace ambient::xds
