#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "kube/objects.hpp"
#include "mesh/context.hpp"
#include "mesh/index_skips.hpp"
#include "mesh/resource.hpp"

/// EndpointSlice → istio.workload.Workload, as istiod 1.28.3's ambient index builds workloads for
/// endpoints that are not pods (ambient/workloads.go, endpointSlicesBuilder): the endpoints of
/// Services without a selector, `default/kubernetes` among them.
namespace ambient::mesh {

/// The `<namespace>/<name>` key of the Service a slice belongs to (its label
/// kubernetes.io/service-name), or "" when the slice has none and so counts for nothing.
std::string slice_service_key(const kube::endpoint_slice& s);

/// Whether the slice's addresses are IP addresses the index can use: an FQDN slice is ignored (as
/// istiod), and any addressType but IPv4/IPv6 is skipped too (istiod would try each address as an
/// IP; the API server never serves another type). Both are counted in `skips`.
bool slice_address_type_usable(const kube::endpoint_slice& s, std::string_view cluster_id,
                               skip_log& skips);

/// The uid istiod gives the workload of one slice endpoint:
/// `<cluster>/discovery.k8s.io/EndpointSlice/<namespace>/<slice>/<first address>`.
std::string slice_workload_uid(std::string_view cluster_id, const kube::endpoint_slice& s,
                               std::string_view first_address);

/// The workloads of slice `s` of Service `svc` (which must be the slice's Service, known to the
/// cluster's service collection), one per endpoint, in order:
/// - an endpoint whose targetRef is a Pod is skipped: the pod is its own, richer, workload;
/// - an endpoint without addresses, with a first address already seen in the slice, or with any
///   address that is not an IP is skipped and counted;
/// - uid slice_workload_uid, name = the slice's name, its namespace, every address;
/// - network and cluster_id of `ctx`, trust domain (empty for cluster.local), network mode
///   HOST_NETWORK (the address may be shared), HEALTHY unless conditions.ready is false;
/// - services `{"<ns>/<hostname>": ports}`: each slice port with a name, a number and protocol
///   TCP, joined to the Service port of that name (the names of a port number are the last
///   Service port's with that number), as `{service port, slice port}`; the list may be empty.
/// No service account, node, locality, workload name, canonical names or tunnel protocol.
std::vector<address_ptr> build_slice_workloads(const kube::endpoint_slice& s,
                                               const kube::service& svc, const cluster_context& ctx,
                                               skip_log& skips);

} // namespace ambient::mesh
