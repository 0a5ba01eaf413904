#pragma once

#include <cstdint>
#include <string>

#include "sim/cluster.hpp"

/// The mesh objects of the demo fleet (sim/demo_fleet.hpp) beyond bookinfo: its network gateways,
/// a service outside Kubernetes and bookinfo's waypoint.
namespace ambient::sim {

/// Creates an object in `c` from generated JSON; a refusal is a bug of the demo fleet
/// (std::logic_error naming the kind and the cluster).
void must_create(sim_cluster& c, const resource_type& rt, const std::string& ns,
                 const std::string& json_text);

/// An east-west gateway as mesh/network_gateway.cpp recognises one in a remote cluster: class
/// istio-east-west, an HBONE listener terminating TLS, the network label and an address.
std::string east_west_gateway_json(const std::string& network, const std::string& address);

/// The gateway through which the config cluster reaches `remote_network`: class istio-remote, an
/// HBONE listener on 15008, the remote network's label and the address of its east-west gateway.
std::string remote_gateway_json(const std::string& remote_network, const std::string& address);

/// The namespace of legacy_db's objects.
inline constexpr const char* legacy_db_namespace = "demo";

/// A database that runs outside Kubernetes, as operators mesh one: namespace `demo`, the
/// selector-less Service legacy-db (port tcp-db 5432, ClusterIP `cluster_ip`) and the
/// EndpointSlice written by hand for it: two IPv4 endpoints outside every pod and node range
/// (192.168.50.10 ready, 192.168.50.11 not), no targetRef.
void create_legacy_db(sim_cluster& c, const std::string& cluster_ip);

/// The waypoint of `ns` as istioctl waypoint apply and the Istio gateway controller leave it:
/// GatewayClass istio-waypoint (cluster-scoped, controller istio.io/mesh-controller), Gateway
/// `waypoint` (label istio.io/waypoint-for=all, an HBONE listener on 15008, status Hostname
/// waypoint.<ns>.svc.cluster.local), its Service (labelled gateway.istio.io/managed=
/// istio.io-mesh-controller, ClusterIP `cluster_ip`, port mesh 15008), its ServiceAccount
/// `waypoint` and one pod labelled
/// gateway.networking.k8s.io/gateway-name=waypoint at `pod_ip` on node-1 (`host_ip`). The
/// namespace's own istio.io/use-waypoint label is the caller's.
void create_waypoint(sim_cluster& c, const std::string& ns, const std::string& cluster_ip,
                     const std::string& pod_ip, const std::string& host_ip);

} // namespace ambient::sim
