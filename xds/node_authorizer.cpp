#include "xds/node_authorizer.hpp"

#include <stdexcept>

#include "xds/spiffe_id.hpp"

namespace ambient::xds {

std::set<std::string> parse_trusted_node_accounts(const std::vector<std::string>& entries) {
  std::set<std::string> out;
  for (const auto& e : entries) {
    auto slash = e.find('/');
    if (slash == 0 || slash == std::string::npos || slash + 1 == e.size()
        || e.find('/', slash + 1) != std::string::npos)
      throw std::invalid_argument("\"" + e + "\" is not namespace/service-account");
    out.insert(e);
  }
  return out;
}

std::variant<mesh::impersonation_query, std::string>
impersonation_query_for(const caller_verdict& caller, const std::string& wanted,
                        const std::set<std::string>& trusted) {
  if (!caller.token || caller.identities.empty())
    return std::string{"only a node agent authenticated by a service-account token may ask for "
                       "another identity"};
  auto who = parse_spiffe_id(caller.identities.front());
  if (!who)
    return "caller identity " + caller.identities.front() + " is not an Istio SPIFFE identity";
  if (!trusted.contains(who->namespace_ + "/" + who->service_account))
    return who->namespace_ + "/" + who->service_account
           + " is not a trusted node account (--ca-trusted-node-accounts)";
  auto target = parse_spiffe_id(wanted);
  if (!target)
    return "requested identity " + wanted + " is not an Istio SPIFFE identity";
  if (caller.token->pod_name.empty() || caller.token->pod_uid.empty())
    return std::string{"the caller's token is not bound to a pod"};
  return mesh::impersonation_query{
      caller.token->cluster_id, who->namespace_,    who->service_account,   caller.token->pod_name,
      caller.token->pod_uid,    target->namespace_, target->service_account};
}

} // namespace ambient::xds
