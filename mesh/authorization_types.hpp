#pragma once

#include "kube/security_objects.hpp"

/// The security.istio.io/v1 objects the conversions of authorization_policy.hpp and
/// peer_authentication.hpp read: the decoded Kubernetes objects of kube/security_objects.hpp, under
/// the mesh's names.
namespace ambient::mesh {

using authz_source = kube::authz_source;
using authz_operation = kube::authz_operation;
using authz_condition = kube::authz_condition;
using authz_rule = kube::authz_rule;
using authorization_policy = kube::authorization_policy;
using mtls_mode = kube::mtls_mode;
using peer_authentication = kube::peer_authentication;

} // namespace ambient::mesh
