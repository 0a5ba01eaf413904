#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include <caf/allowed_unsafe_message_type.hpp>

#include "kube/connection_settings.hpp"
#include "mesh/impersonation.hpp"
#include "xds/call_credentials.hpp"

/// Authenticating callers of the TLS listener: from gRPC threads and cluster_store to the token
/// reviewer; and the CA's roots, to those who publish them (local only).
namespace ambient::messages {

/// A gRPC call without a client certificate asks who its bearer token belongs to; `done` is called
/// exactly once, on the reviewer's thread.
struct token_review_ask {
  xds::call_credentials creds;
  std::function<void(xds::token_verdict)> done;
};

/// cluster_store to the token reviewer: a remote cluster's API server can review tokens
/// (generation `generation` of cluster `cluster_id`, reached with `settings`).
struct review_cluster_up {
  std::string cluster_id;
  uint64_t generation = 0;
  kube::connection_settings settings;
};

/// cluster_store to the token reviewer: that generation of the cluster is gone.
struct review_cluster_down {
  std::string cluster_id;
  uint64_t generation = 0;
};

/// The CA asks the readiness aggregator whether a node agent may have a certificate for another
/// identity (istiod's node authorizer over the mesh index's pods); `done` gets "" to allow or the
/// reason, on the aggregator's thread.
struct impersonation_ask {
  mesh::impersonation_query query;
  std::function<void(std::string)> done;
};

/// The CA's root bundle changed (a rotation): the PEM of every root a workload should trust,
/// from the CA's keeper to the root cert publisher.
struct ca_roots {
  std::string roots_pem;
};

} // namespace ambient::messages

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ambient::messages::token_review_ask)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ambient::messages::review_cluster_up)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ambient::messages::review_cluster_down)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ambient::messages::impersonation_ask)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ambient::messages::ca_roots)
