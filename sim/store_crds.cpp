#include "sim/store.hpp"

#include "sim/object_metadata.hpp"

namespace ambient::sim {

const resource_type* store::find_type(std::string_view group, std::string_view version,
                                      std::string_view resource) const {
  if (const auto* builtin = find_resource(group, version, resource))
    return builtin;
  std::lock_guard guard{mutex_};
  return crds_.find(group, version, resource);
}

std::vector<const resource_type*> store::served_types() const {
  std::vector<const resource_type*> out;
  for (const auto& r : builtin_resources())
    out.push_back(&r);
  std::lock_guard guard{mutex_};
  auto crd_types = crds_.types();
  out.insert(out.end(), crd_types.begin(), crd_types.end());
  return out;
}

std::vector<const resource_type*> store::namespaced_types_locked() const {
  std::vector<const resource_type*> out;
  for (const auto& r : builtin_resources())
    if (r.namespaced)
      out.push_back(&r);
  for (const auto* r : crds_.types())
    if (r->namespaced)
      out.push_back(r);
  return out;
}

std::optional<api_error> store::prepare_crd_locked(json& obj, const object_ptr& old,
                                                   const std::string& name, crd_definition& def) {
  const auto& crds = *find_resource("apiextensions.k8s.io", "v1", "customresourcedefinitions");
  def = crds_.read(obj, name);
  if (def.code == 409)
    return api_error{409, "Conflict",
                     "customresourcedefinitions \"" + name + "\" is refused: " + def.error,
                     crds.resource, name};
  if (!def.error.empty())
    return invalid_object(crds, name, def.error);
  // The conditions hold since the CRD was first accepted: a rewrite that changes nothing stays a
  // no-op.
  std::string since;
  if (auto prev = old ? parse_json(old->json, nullptr) : std::nullopt)
    if (const auto* t = find_path(*prev, {"metadata", "creationTimestamp"}); t && t->is_string())
      since = t->get<std::string>();
  set_crd_status(obj, since.empty() ? rfc3339(clock_()) : since);
  return std::nullopt;
}

void store::drop_objects_locked(const resource_type& rt) {
  auto ti = tables_.find(rt.id());
  if (ti == tables_.end())
    return;
  std::vector<std::pair<std::string, std::string>> keys;
  for (const auto& [key, o] : ti->second)
    keys.emplace_back(o->namespace_, o->name);
  for (const auto& [ns, name] : keys)
    remove_locked(rt, ns, name);
  tables_.erase(rt.id());
}

} // namespace ambient::sim
