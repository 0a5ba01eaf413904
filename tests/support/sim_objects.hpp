#pragma once

#include <catch2/catch.hpp>

#include <chrono>
#include <map>
#include <string>

#include "sim/cluster.hpp"
#include "sim/json.hpp"
#include "sim/objects.hpp"
#include "sim/resources.hpp"
#include "sim/workload.hpp"

namespace ambient::test {

/// Creates an object of `group`/`version` `resource` in a simulated cluster (REQUIREs success).
inline void must_create_in(sim::sim_cluster& c, const char* group, const char* version,
                           const char* resource, const std::string& ns, const std::string& json) {
  const auto* rt = sim::find_resource(group, version, resource);
  REQUIRE(rt != nullptr);
  auto r = c.data().create(*rt, ns, *sim::parse_json(json, nullptr));
  REQUIRE(!r.error);
}

/// Creates a core/v1 object in a simulated cluster (REQUIREs success).
inline void must_create(sim::sim_cluster& c, const char* resource, const std::string& ns,
                        const std::string& json) {
  must_create_in(c, "", "v1", resource, ns, json);
}

/// The metadata.uid the simulated cluster gave a core/v1 object ("" when it has none).
inline std::string uid_of(sim::sim_cluster& c, const char* resource, const std::string& ns,
                          const std::string& name) {
  auto got = c.data().get(*sim::find_resource("", "v1", resource), ns, name);
  if (got.error || !got.object)
    return {};
  auto doc = sim::parse_json(got.object->json, nullptr);
  const auto* uid = doc ? sim::find_path(*doc, {"metadata", "uid"}) : nullptr;
  return uid && uid->is_string() ? uid->get<std::string>() : "";
}

/// Deletes an object of `group`/`version` `resource` from a simulated cluster (REQUIREs success).
inline void must_remove_in(sim::sim_cluster& c, const char* group, const char* version,
                           const char* resource, const std::string& ns, const std::string& name) {
  const auto* rt = sim::find_resource(group, version, resource);
  REQUIRE(rt != nullptr);
  REQUIRE(!c.data().remove(*rt, ns, name).error);
}

/// Deletes a core/v1 object from a simulated cluster (REQUIREs success).
inline void must_remove(sim::sim_cluster& c, const char* resource, const std::string& ns,
                        const std::string& name) {
  must_remove_in(c, "", "v1", resource, ns, name);
}

/// A remote secret in `config`'s istio-system holding `remote`'s kubeconfig, as
/// `istioctl create-remote-secret` makes it.
inline void put_remote_secret(sim::sim_cluster& config, const std::string& name,
                              sim::sim_cluster& remote) {
  must_create(config, "secrets", "istio-system",
              sim::make_secret_json("istio-system", name, {{"istio/multiCluster", "true"}},
                                    {{remote.name(), remote.kubeconfig()}},
                                    std::chrono::system_clock::now()));
}

/// Creates or replaces the remote secret `name` in `config`'s istio-system with `data` (cluster ID
/// → kubeconfig), labelled istio/multiCluster=true (REQUIREs success).
inline void put_remote_secret_data(sim::sim_cluster& config, const std::string& name,
                                   const std::map<std::string, std::string>& data) {
  auto& store = config.data();
  const auto& secrets = *sim::find_resource("", "v1", "secrets");
  auto json = sim::make_secret_json("istio-system", name, {{"istio/multiCluster", "true"}}, data,
                                    std::chrono::system_clock::now());
  auto obj = *sim::parse_json(json, nullptr);
  if (store.get(secrets, "istio-system", name).object)
    REQUIRE(!store.update(secrets, "istio-system", name, std::move(obj)).error);
  else
    REQUIRE(!store.create(secrets, "istio-system", std::move(obj)).error);
}

/// The holderIdentity of ambientd's leader Lease in `c`'s istio-system ("" while there is none).
inline std::string lease_holder(sim::sim_cluster& c) {
  const auto& leases = *sim::find_resource("coordination.k8s.io", "v1", "leases");
  auto got = c.data().get(leases, "istio-system", "ambientd-leader");
  if (got.error || !got.object)
    return {};
  auto doc = sim::parse_json(got.object->json, nullptr);
  const auto* h = doc ? sim::find_path(*doc, {"spec", "holderIdentity"}) : nullptr;
  return h && h->is_string() ? h->get<std::string>() : "";
}

/// Creates a running pod with an IP in a simulated cluster (REQUIREs success), owned by a
/// ReplicaSet of its own name: a workload as soon as its cluster is in the view.
inline void must_create_pod(sim::sim_cluster& c, const std::string& ns, const std::string& name,
                            const std::string& ip,
                            const std::map<std::string, std::string>& labels = {}) {
  sim::pod_params p;
  p.namespace_ = ns;
  p.name = name;
  p.node_name = "node-1";
  p.pod_ip = ip;
  p.labels = labels;
  p.owner_name = name + "-7d9c6b5f4";
  must_create(c, "pods", ns, sim::make_pod_json(p, std::chrono::system_clock::now()));
}

} // namespace ambient::test
