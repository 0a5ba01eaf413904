#include "bench/harness/ground_truth.hpp"

#include <memory>
#include <stdexcept>

#include "fleet/cluster_sync.hpp"
#include "kube/api_envelope.hpp"
#include "kube/decode.hpp"
#include "kube/resource_kind.hpp"
#include "mesh/mesh_config.hpp"
#include "mesh/mesh_index.hpp"

namespace ambient::bench {

namespace {

constexpr const char* config_cluster = "cluster-1";

void compare_type(const char* type, const std::map<std::string, std::string>& want,
                  const std::map<std::string, std::string>& got, view_diff& d) {
  auto sample = [&](const std::string& what, const std::string& name) {
    if (d.samples.size() < 5)
      d.samples.push_back(what + " " + type + " " + name);
  };
  for (const auto& [name, bytes] : want) {
    auto it = got.find(name);
    if (it == got.end()) {
      ++d.missing;
      sample("missing", name);
    } else if (it->second != bytes) {
      ++d.different;
      sample("different", name);
    }
  }
  for (const auto& [name, bytes] : got)
    if (!want.contains(name)) {
      ++d.extra;
      sample("extra", name);
    }
}

} // namespace

mesh_view ground_truth(sim_process& sim, const std::vector<std::string>& clusters) {
  auto config = std::make_shared<mesh::mesh_config>();
  config->cluster_id = config_cluster;
  mesh::mesh_index index{config};
  kube::decode_limits limits;
  for (const auto& id : clusters) {
    std::string server;
    auto api = sim.api(id, &server);
    const auto& kinds = id == config_cluster ? fleet::config_cluster_resources()
                                             : fleet::remote_cluster_resources();
    for (auto kind : kinds) {
      auto r = api.request("GET", server + kube::collection_path(kind));
      if (r.status == 404)
        continue;
      if (r.status != 200)
        throw std::runtime_error("ground truth: LIST " + std::string{kube::to_string(kind)} + " of "
                                 + id + ": HTTP " + std::to_string(r.status) + " " + r.error);
      auto list = kube::decode_list(kind, r.body, limits);
      auto* items = std::get_if<kube::object_list>(&list);
      if (!items)
        throw std::runtime_error("ground truth: the " + std::string{kube::to_string(kind)}
                                 + " list of " + id + " does not decode");
      if (items->unnamed > 0)
        throw std::runtime_error("ground truth: an object of " + id + " has no name");
      for (auto& item : items->items) {
        if (!item.object)
          throw std::runtime_error("ground truth: an object of " + id
                                   + " does not decode: " + item.error->message);
        index.upsert(id, 1, std::move(*item.object));
      }
    }
    index.set_state(id, 1, fleet::lifecycle::synced);
  }
  index.take_delta();
  mesh_view out;
  for (const auto& [name, res] : index.resources())
    out.addresses[name] = res->bytes;
  for (const auto& [name, res] : index.authorizations())
    out.authorizations[name] = res->bytes;
  return out;
}

std::string view_diff::text() const {
  std::string s = std::to_string(missing) + " missing, " + std::to_string(extra) + " extra, "
                  + std::to_string(different) + " different";
  for (const auto& n : samples)
    s += "; " + n;
  return s;
}

view_diff compare(const mesh_view& want, const mesh_view& got) {
  view_diff d;
  compare_type("Address", want.addresses, got.addresses, d);
  compare_type("Authorization", want.authorizations, got.authorizations, d);
  return d;
}

} // namespace ambient::bench
