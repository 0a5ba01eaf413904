#include "mesh/cluster_index.hpp"

namespace ambient::mesh {

std::string cluster_index::impersonation_refusal(const impersonation_query& q) const {
  auto caller = pods_.find(q.caller_namespace + "/" + q.caller_pod);
  if (caller == pods_.end())
    return "pod " + q.caller_namespace + "/" + q.caller_pod + " is not in cluster " + q.cluster_id;
  const auto& pod = caller->second.pod;
  if (pod.meta.uid != q.caller_pod_uid)
    return "pod " + q.caller_namespace + "/" + q.caller_pod + " has UID " + pod.meta.uid
           + ", not the token's " + q.caller_pod_uid;
  if (pod.service_account != q.caller_service_account)
    return "pod " + q.caller_namespace + "/" + q.caller_pod + " runs as " + pod.service_account
           + ", not as the token's " + q.caller_service_account;
  if (pod.node_name.empty())
    return "pod " + q.caller_namespace + "/" + q.caller_pod + " is not scheduled on a node";
  if (auto on_node = pods_by_node_.find(pod.node_name); on_node != pods_by_node_.end())
    for (const auto& key : on_node->second)
      if (const auto& p = pods_.at(key).pod;
          p.meta.namespace_ == q.target_namespace && p.service_account == q.target_service_account)
        return {};
  return "no pod of " + q.target_namespace + "/" + q.target_service_account + " runs on node "
         + pod.node_name;
}

} // namespace ambient::mesh
