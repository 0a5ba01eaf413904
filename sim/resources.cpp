#include "sim/resources.hpp"

namespace ambient::sim {

std::string resource_type::api_version() const {
  return group.empty() ? version : group + "/" + version;
}

std::string resource_type::id() const {
  return group + "/" + version + "/" + resource;
}

const std::vector<resource_type>& builtin_resources() {
  static const std::vector<resource_type> all{
      {"", "v1", "namespaces", "namespace", "Namespace", false, {"ns"}, {"status.phase"}},
      {"", "v1", "pods", "pod", "Pod", true, {"po"}, {"spec.nodeName", "status.phase"}},
      {"", "v1", "services", "service", "Service", true, {"svc"}, {}},
      {"", "v1", "nodes", "node", "Node", false, {"no"}, {}},
      {"", "v1", "secrets", "secret", "Secret", true, {}, {"type"}},
      {"", "v1", "configmaps", "configmap", "ConfigMap", true, {"cm"}, {}},
      {"", "v1", "endpoints", "endpoints", "Endpoints", true, {"ep"}, {}},
      {"", "v1", "serviceaccounts", "serviceaccount", "ServiceAccount", true, {"sa"}, {}},
      {"discovery.k8s.io", "v1", "endpointslices", "endpointslice", "EndpointSlice", true, {}, {}},
      {"coordination.k8s.io", "v1", "leases", "lease", "Lease", true, {}, {}},
      {"apps", "v1", "deployments", "deployment", "Deployment", true, {"deploy"}, {}},
      {"policy",
       "v1",
       "poddisruptionbudgets",
       "poddisruptionbudget",
       "PodDisruptionBudget",
       true,
       {"pdb"},
       {}},
      {"autoscaling",
       "v2",
       "horizontalpodautoscalers",
       "horizontalpodautoscaler",
       "HorizontalPodAutoscaler",
       true,
       {"hpa"},
       {}},
      {"rbac.authorization.k8s.io", "v1", "roles", "role", "Role", true, {}, {}},
      {"rbac.authorization.k8s.io",
       "v1",
       "rolebindings",
       "rolebinding",
       "RoleBinding",
       true,
       {},
       {}},
      {"rbac.authorization.k8s.io",
       "v1",
       "clusterroles",
       "clusterrole",
       "ClusterRole",
       false,
       {},
       {}},
      {"rbac.authorization.k8s.io",
       "v1",
       "clusterrolebindings",
       "clusterrolebinding",
       "ClusterRoleBinding",
       false,
       {},
       {}},
      {"gateway.networking.k8s.io", "v1", "gateways", "gateway", "Gateway", true, {"gtw"}, {}},
      {"gateway.networking.k8s.io",
       "v1",
       "gatewayclasses",
       "gatewayclass",
       "GatewayClass",
       false,
       {"gc"},
       {}},
      {"apiextensions.k8s.io",
       "v1",
       "customresourcedefinitions",
       "customresourcedefinition",
       "CustomResourceDefinition",
       false,
       {"crd", "crds"},
       {}},
  };
  return all;
}

const resource_type* find_resource(std::string_view group, std::string_view version,
                                   std::string_view resource) {
  for (const auto& r : builtin_resources())
    if (r.group == group && r.version == version && r.resource == resource)
      return &r;
  return nullptr;
}

const std::vector<std::string>& resource_verbs() {
  static const std::vector<std::string> verbs{"create", "delete", "get",  "list",
                                              "patch",  "update", "watch"};
  return verbs;
}

} // namespace ambient::sim
