#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "istio/workload/workload.pb.h"
#include "kube/objects.hpp"
#include "mesh/context.hpp"
#include "mesh/network_gateway.hpp"
#include "mesh/waypoint.hpp"

/// The pod → istio.workload.Workload mapping of istiod 1.28.3's ambient index
/// (pilot/pkg/serviceregistry/kube/controller/ambient/workloads.go, `podWorkloadBuilder`,
/// :783-895). Line numbers below refer to that tag. The waypoint binding and the policies a pod
/// lists are resolved by the index and handed in.
namespace ambient::mesh {

/// Whether `svc` selects `p`: same namespace, a non-empty selector, and every selector label
/// present on the pod with an equal value. An empty selector selects nothing
/// (krt.FilterSelectsNonEmpty → labels.Instance.Match, pkg/config/labels/instance.go:79-85).
bool selects(const kube::service& svc, const kube::pod& p);

/// What the mapping of one pod reads besides the pod itself.
struct workload_inputs {
  /// The pod's namespace: the index binds the pod's waypoint with it (`computeWaypoint`);
  /// enrolment in ambient is read from the pod (see build_pod_workload).
  const kube::namespace_* ns = nullptr;
  /// The node named by the pod's spec.nodeName, if known: its labels give the locality.
  const kube::node* node = nullptr;
  /// The services of the pod: those that select it (see selects()), then those without a
  /// selector whose EndpointSlices name it; ExternalName services are ignored.
  std::vector<const kube::service*> services;
  /// The gateway of the pod's network that carries HBONE (a port is set), if any: see
  /// pod_network_gateway.
  const network_gateway* gateway = nullptr;
  /// The policies the workload lists (`<namespace>/<name>`, policy_index::workload_policies).
  const std::vector<std::string>* authorization_policies = nullptr;
  /// The address of the waypoint the pod is bound to, if any (bind_waypoint).
  const waypoint_address* waypoint = nullptr;
  /// For an instance of a waypoint with an inbound binding: its application tunnel.
  const inbound_binding* application_tunnel = nullptr;
};

/// The Workload istiod sends ztunnel for `p`, or nullopt when istiod builds none: the phase is
/// Failed or Succeeded, there is no pod IP, or a pod IP does not parse. See the definition for
/// each field's rule and its istiod source.
std::optional<istio::workload::Workload>
build_pod_workload(const kube::pod& p, const workload_inputs& in, const cluster_context& ctx);

/// build_pod_workload writing into `w`, which must be empty: the index builds each workload right
/// inside the resource that will hold it. Returns false where build_pod_workload returns nullopt
/// (`w` is then partly written and must be discarded).
bool build_pod_workload_into(const kube::pod& p, const workload_inputs& in,
                             const cluster_context& ctx, istio::workload::Workload& w);

/// The workload (controller) name of a pod, as istiod derives it for telemetry
/// (pkg/kube/util.go:252-340, `GetWorkloadMetaFromPod`).
std::string pod_workload_name(const kube::pod& p);

/// The port a named Service targetPort resolves to on `p`: the first TCP port of that name
/// among the pod's containers (ambient/helpers.go:165-174, `FindPortName`).
std::optional<int32_t> find_port_name(const kube::pod& p, std::string_view name);

} // namespace ambient::mesh
