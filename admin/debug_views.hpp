#pragma once

#include <string>
#include <vector>

#include "base/json_writer.hpp"
#include "mesh/resource.hpp"
#include "messages/cluster.hpp"
#include "messages/xds.hpp"
#include "telemetry/actor_directory.hpp"

namespace ambient::admin {

/// /debug/workloads: a JSON array of the merged view's workloads (services are left out): uid,
/// name, namespace, cluster, addresses, network, node, serviceAccount, protocol (HBONE or TCP),
/// status (Healthy or Unhealthy), services, authorizationPolicies (the Authorization names the
/// workload lists, in its order), and when set: hostname, capacity, networkGateway and waypoint
/// (see write_gateway_address), applicationTunnel {protocol, port}.
std::string workloads_json(const std::vector<mesh::address_ptr>& resources);

/// A GatewayAddress as {network, address} or {namespace, hostname}, with hboneMtlsPort.
void write_gateway_address(base::json_writer& w, const istio::workload::GatewayAddress& gw);

/// /debug/xds: {"tables":[{typeUrl,version,resources}],"streams":[{id,peer,protocol,inFlight,
/// types:[{typeUrl,wildcard,subscribed,sent,responses,acks,nacks,lastSentNonce,lastAckedNonce,
/// lastNackedNonce,ackedVersion,lastError}]}]}.
std::string xds_json(const messages::xds_status& status);

/// /debug/actors: the live actor tree, {"actors":N,"tree":[{id,kind,cluster,handled,
/// mailboxDepth,busyMs,children:[...]}]}; an actor whose parent is gone hangs at the root.
std::string actors_json(const std::vector<telemetry::actor_record>& actors);

/// What /readyz answers.
struct readiness {
  bool ready = false;
  std::string reason; ///< why not (or "ready")
};

/// Ready when xDS is serving and the config cluster (when there is one) has synced; with
/// `require_remote`, also once every other cluster has finished trying to sync: synced, stale,
/// timed out or failed (istio/istio#56706) — a broken secret must not keep a replica out of
/// service forever. `status` null: the store did not answer.
readiness evaluate_readiness(const messages::cluster_store_status* status,
                             const std::string& config_cluster_id, bool has_config_cluster,
                             bool xds_serving, bool require_remote);

} // namespace ambient::admin
