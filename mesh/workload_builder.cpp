#include "mesh/workload_builder.hpp"

#include <cctype>
#include <cstdint>
#include <initializer_list>

#include "mesh/service_builder.hpp"

namespace ambient::mesh {

namespace {

namespace wl = istio::workload;

/// Whether `s` ends in `-` followed by 8 to 10 digits, with something before the dash: the
/// name a CronJob gives its Jobs (pkg/kube/util.go:44, `(.+)-\d{8,10}$`). Returns the prefix.
std::optional<std::string> cron_job_prefix(std::string_view s) {
  size_t digits = 0;
  while (digits < s.size() && std::isdigit(static_cast<unsigned char>(s[s.size() - 1 - digits])))
    ++digits;
  if (digits < 8 || digits > 10 || s.size() < digits + 2 || s[s.size() - 1 - digits] != '-')
    return std::nullopt;
  return std::string{s.substr(0, s.size() - digits - 1)};
}

/// The value of the first label among `keys` that is present, even when empty
/// (pkg/kube/labels/labels.go:66-74, `lookupLabelValue`).
std::optional<std::string_view> first_label(const kube::string_map& labels,
                                            std::initializer_list<std::string_view> keys) {
  for (auto key : keys)
    if (auto v = kube::lookup(labels, key))
      return v;
  return std::nullopt;
}

/// Whether the comma-separated label `networking.istio.io/tunnel` lists "http"
/// (pilot/pkg/model/service.go:255-267, `SupportsTunnel`).
bool supports_http_tunnel(const kube::string_map& labels) {
  auto v = kube::lookup(labels, "networking.istio.io/tunnel");
  if (!v)
    return false;
  std::string_view rest = *v;
  while (true) {
    auto comma = rest.find(',');
    if (rest.substr(0, comma) == "http")
      return true;
    if (comma == std::string_view::npos)
      return false;
    rest.remove_prefix(comma + 1);
  }
}

/// The PortList of `svc` for `p` (workloads.go:1436-1476, `constructServices`), appended to
/// `out`: per service port {port, targetPort}. A numeric targetPort is taken as is
/// (services.go:557-563); a named one is resolved with find_port_name, and a name the pod does not
/// declare drops the port from the list (:1450-1456). istiod's ServiceEntry name matching
/// (:1458-1466) does not apply to Services.
void add_service_ports(const kube::service& svc, const kube::pod& p, wl::PortList& out) {
  for (const auto& sp : svc.ports) {
    auto target = static_cast<uint32_t>(sp.target_port_number);
    if (const auto& names = port_names_of(svc, sp.port); !names.target_port_name.empty()) {
      auto resolved = find_port_name(p, names.target_port_name);
      if (!resolved)
        continue;
      target = static_cast<uint32_t>(*resolved);
    }
    auto* port = out.add_ports();
    port->set_service_port(static_cast<uint32_t>(sp.port));
    port->set_target_port(target);
  }
}

/// Appends the 4 or 16 bytes of `ip` to the workload's addresses; false when it does not parse.
bool add_address(wl::Workload& w, std::string_view ip) {
  auto bytes = ip_bytes(ip);
  if (!bytes)
    return false;
  w.add_addresses(std::move(*bytes));
  return true;
}

/// The locality of `node` (ambient/nodes.go:90-105, `NodesCollection`): region, zone and subzone
/// from its labels, or none when all three are empty. A node that is absent or not the pod's
/// gives none (workloads.go:1478-1489, `getPodLocality`).
void set_locality(wl::Workload& w, const kube::pod& p, const kube::node* node) {
  if (node == nullptr || p.node_name.empty() || node->meta.name != p.node_name)
    return;
  const auto& labels = node->meta.labels;
  auto region = kube::lookup(labels, "topology.kubernetes.io/region").value_or("");
  auto zone = kube::lookup(labels, "topology.kubernetes.io/zone").value_or("");
  auto subzone = kube::lookup(labels, "topology.istio.io/subzone").value_or("");
  if (region.empty() && zone.empty() && subzone.empty())
    return;
  auto* loc = w.mutable_locality();
  // Empty parts are left unset: the same bytes (proto3 defaults), fewer allocations.
  if (!region.empty())
    loc->set_region(region.data(), region.size());
  if (!zone.empty())
    loc->set_zone(zone.data(), zone.size());
  if (!subzone.empty())
    loc->set_subzone(subzone.data(), subzone.size());
}

} // namespace

bool selects(const kube::service& svc, const kube::pod& p) {
  if (svc.meta.namespace_ != p.meta.namespace_ || svc.selector.empty())
    return false;
  for (const auto& [key, value] : svc.selector) {
    auto v = kube::lookup(p.meta.labels, key);
    if (!v || *v != value)
      return false;
  }
  return true;
}

std::optional<int32_t> find_port_name(const kube::pod& p, std::string_view name) {
  // The API server defaults a container port's protocol to TCP; an undecoded (empty) protocol
  // counts as that default.
  for (const auto& cp : p.ports)
    if (cp.name == name && (cp.protocol == "TCP" || cp.protocol.empty()))
      return cp.port;
  return std::nullopt;
}

/// pkg/kube/util.go:252-340. The heuristics apply to a pod created with metadata.generateName
/// (:277) that has a controller owner reference: ReplicaSet whose name ends with the
/// pod-template-hash label → the name without `-<hash>` (Deployment, :294-297); likewise
/// rollouts-pod-template-hash (Argo Rollout, :298-304); ReplicationController with label
/// deploymentconfig → that label (:305-316); Job named `<cronjob>-<8..10 digits>` → the CronJob
/// (:317-326); any other controller → its name. No controller → the pod name (:330-332). The label
/// service.istio.io/workload-name, when present, overrides all (:257-259).
std::string pod_workload_name(const kube::pod& p) {
  if (auto wn = kube::lookup(p.meta.labels, "service.istio.io/workload-name"))
    return std::string{*wn};
  const kube::owner_ref* controller = nullptr;
  for (const auto& o : p.owners) {
    if (o.controller) {
      controller = &o;
      break;
    }
  }
  if (p.generate_name.empty() || controller == nullptr || controller->name.empty())
    return p.meta.name;
  const auto& owner = controller->name;
  auto label = [&](std::string_view key) {
    return kube::lookup(p.meta.labels, key).value_or("");
  };
  auto trim_hash = [&](std::string_view hash) -> std::optional<std::string> {
    if (hash.empty() || !owner.ends_with(hash))
      return std::nullopt;
    std::string suffix = "-" + std::string{hash};
    if (!owner.ends_with(suffix))
      return owner; // istiod's TrimSuffix leaves it as is
    return owner.substr(0, owner.size() - suffix.size());
  };
  if (controller->kind == "ReplicaSet") {
    if (auto name = trim_hash(label("pod-template-hash")))
      return *name;
    if (auto name = trim_hash(label("rollouts-pod-template-hash")))
      return *name;
  } else if (controller->kind == "ReplicationController" && !label("deploymentconfig").empty()) {
    return std::string{label("deploymentconfig")};
  } else if (controller->kind == "Job") {
    if (auto cron = cron_job_prefix(owner))
      return *cron;
  }
  return owner;
}

/// Each field as istiod's podWorkloadBuilder (workloads.go:783-895, tag 1.28.3) sets it:
/// - excluded: phase Failed or Succeeded (:806-808, pkg/kube/util.go:203-207); a Pending pod
///   with an IP is kept (istio#48854); a terminating pod is kept, UNHEALTHY;
/// - excluded: no IP (status.podIPs, else status.podIP; :809-812, :935-941);
/// - excluded: any IP that does not parse — the whole pod, not just that IP (:813-823);
/// - uid `<cluster>//Pod/<ns>/<name>` (helpers.go:31-33); name, namespace (:851-853);
/// - addresses: 4 or 16 bytes per pod IP, in order (:813-818, :857);
/// - network: the cluster's network (:841, :854); cluster_id (:856);
/// - service_account: spec.serviceAccountName; node: spec.nodeName (:858, :860);
/// - services: `<ns>/<hostname>` → ports, ExternalName services skipped (:862,
///   services.go:232-239, helpers.go:176-178); see add_service_ports;
/// - status: HEALTHY iff Ready is True and the pod is not terminating (:834-839);
/// - trust_domain: the mesh's, or "" when it is "cluster.local" (:865, :1351-1356);
/// - locality: from the node (:866); see set_locality;
/// - network_mode: HOST_NETWORK for hostNetwork pods (:869-871);
/// - workload_name: pod_workload_name (:873); workload_type: always POD, "backwards
///   compatibility" (:874) — the owner kind is not reported;
/// - canonical_name: the first present label of service.istio.io/canonical-name,
///   app.kubernetes.io/name, app, else workload_name; canonical_revision likewise from
///   service.istio.io/canonical-revision, app.kubernetes.io/version, version, else "latest"
///   (:875, pkg/kube/labels/labels.go:27-38, :59-98); a present empty label counts;
/// - tunnel_protocol: HBONE when the CNI marked the pod captured with annotation
///   ambient.istio.io/redirection=enabled (:1340-1343). istiod does not evaluate the
///   istio.io/dataplane-mode labels itself: the CNI node agent applies them (namespace or pod
///   `ambient`, pod `none` opts out, sidecar and hostNetwork pods skipped) and records the outcome
///   in that annotation. A pod labelled networking.istio.io/tunnel listing "http" gets HBONE and
///   native_tunnel (:1344-1348). Otherwise NONE;
/// - network_gateway: `in.gateway`, the network's gateway that takes HBONE (:855, :1570-1611);
/// - waypoint and application_tunnel: `in.waypoint` and `in.application_tunnel`, as the index
///   resolved them (computeWaypoint, :759-781, :845; see mesh/waypoint.hpp).
bool build_pod_workload_into(const kube::pod& p, const workload_inputs& in,
                             const cluster_context& ctx, wl::Workload& w) {
  if (p.phase == "Failed" || p.phase == "Succeeded")
    return false;
  if (p.pod_ips.empty()) {
    if (p.pod_ip.empty() || !add_address(w, p.pod_ip))
      return false;
  } else {
    for (const auto& ip : p.pod_ips)
      if (!add_address(w, ip))
        return false;
  }
  const auto& ns = p.meta.namespace_;
  auto* uid = w.mutable_uid();
  uid->reserve(ctx.cluster_id.size() + ns.size() + p.meta.name.size() + 7);
  uid->append(ctx.cluster_id).append("//Pod/").append(ns).append("/").append(p.meta.name);
  w.set_name(p.meta.name);
  w.set_namespace_(ns);
  w.set_cluster_id(ctx.cluster_id);
  // An empty proto3 string is the default: left unset, it gives the same bytes and allocates
  // nothing.
  if (!ctx.network.empty())
    w.set_network(ctx.network);
  if (!p.service_account.empty())
    w.set_service_account(p.service_account);
  if (!p.node_name.empty())
    w.set_node(p.node_name);
  auto& services = *w.mutable_services();
  std::string key; // `<ns>/<hostname>`, reused for every service
  for (const auto* svc : in.services) {
    if (svc == nullptr || svc->type == "ExternalName")
      continue;
    const auto& svc_ns = svc->meta.namespace_;
    key.assign(svc_ns).append("/").append(
        service_hostname(svc->meta.name, svc_ns, ctx.cluster_domain));
    auto& ports = services[key];
    ports.Clear(); // the same service twice: the last one wins, as a map assignment would
    add_service_ports(*svc, p, ports);
  }
  w.set_status(p.ready && !p.meta.deleting ? wl::HEALTHY : wl::UNHEALTHY);
  if (ctx.trust_domain != "cluster.local")
    w.set_trust_domain(ctx.trust_domain);
  set_locality(w, p, in.node);
  if (p.host_network)
    w.set_network_mode(wl::HOST_NETWORK);
  w.set_workload_name(pod_workload_name(p));
  w.set_workload_type(wl::POD);
  const auto& labels = p.meta.labels;
  auto name
      = first_label(labels, {"service.istio.io/canonical-name", "app.kubernetes.io/name", "app"});
  if (name)
    w.set_canonical_name(name->data(), name->size());
  else
    w.set_canonical_name(w.workload_name());
  auto revision = first_label(
      labels, {"service.istio.io/canonical-revision", "app.kubernetes.io/version", "version"});
  if (revision)
    w.set_canonical_revision(revision->data(), revision->size());
  else
    w.set_canonical_revision("latest");
  if (kube::lookup(p.meta.annotations, "ambient.istio.io/redirection") == "enabled")
    w.set_tunnel_protocol(wl::HBONE);
  if (supports_http_tunnel(labels)) {
    w.set_tunnel_protocol(wl::HBONE);
    w.set_native_tunnel(true);
  }
  if (in.gateway != nullptr)
    fill_gateway_address(*in.gateway, *w.mutable_network_gateway());
  if (in.authorization_policies != nullptr)
    for (const auto& policy : *in.authorization_policies)
      w.add_authorization_policies(policy);
  if (in.waypoint != nullptr)
    fill_gateway_address(*in.waypoint, *w.mutable_waypoint());
  if (in.application_tunnel != nullptr) {
    auto* tunnel = w.mutable_application_tunnel();
    tunnel->set_protocol(in.application_tunnel->protocol);
    tunnel->set_port(in.application_tunnel->port);
  }
  return true;
}

std::optional<wl::Workload> build_pod_workload(const kube::pod& p, const workload_inputs& in,
                                               const cluster_context& ctx) {
  wl::Workload w;
  if (!build_pod_workload_into(p, in, ctx, w))
    return std::nullopt;
  return w;
}

} // namespace ambient::mesh
