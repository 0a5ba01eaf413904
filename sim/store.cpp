#include "sim/store.hpp"

#include <stdexcept>

#include "sim/api_defaults.hpp"
#include "sim/cluster_ip.hpp"
#include "sim/json_patch.hpp"
#include "sim/object_metadata.hpp"
#include "sim/pki.hpp"
#include "sim/secret_data.hpp"

namespace ambient::sim {

namespace {

std::string string_at(const json& obj, std::initializer_list<std::string_view> path) {
  const auto* v = find_path(obj, path);
  return v != nullptr && v->is_string() ? v->get<std::string>() : std::string{};
}

/// Reads a dotted field path ("spec.nodeName") as text, for field selectors.
std::string field_text(const json& obj, std::string_view dotted) {
  const json* cur = &obj;
  while (cur != nullptr && !dotted.empty()) {
    auto dot = dotted.find('.');
    cur = find_path(*cur, {dotted.substr(0, dot)});
    dotted = dot == std::string_view::npos ? std::string_view{} : dotted.substr(dot + 1);
  }
  if (cur == nullptr)
    return {};
  if (cur->is_string())
    return cur->get<std::string>();
  return dump_json(*cur);
}
} // namespace

store::store(size_t history_limit, std::function<std::chrono::system_clock::time_point()> clock)
  : clock_(clock ? std::move(clock) : [] { return std::chrono::system_clock::now(); }),
    history_limit_(history_limit) {
  // nop
}

object_result store::store_locked(const resource_type& rt, json obj, const object_ptr& old,
                                  const std::string& ns, const std::string& name) {
  // Before any reference into obj is taken: folding may add members.
  if (rt.group.empty() && rt.kind == "Secret")
    if (auto error = fold_string_data(obj); !error.empty())
      return {nullptr, invalid_object(rt, name, std::move(error))};
  if (auto error = default_locked(rt, obj, old); !error.empty())
    return {nullptr, invalid_object(rt, name, std::move(error))};
  std::optional<crd_definition> crd;
  if (is_crd_resource(rt))
    if (auto refused = prepare_crd_locked(obj, old, name, crd.emplace()))
      return {nullptr, std::move(refused)};
  obj["apiVersion"] = rt.api_version();
  obj["kind"] = rt.kind;
  auto& meta = obj["metadata"];
  if (!meta.is_object())
    return {nullptr, invalid_object(rt, name, "metadata: must be an object")};
  meta["name"] = name;
  if (rt.namespaced)
    meta["namespace"] = ns;
  else
    meta.erase("namespace");
  auto uid = old ? old->uid : make_uid();
  meta["uid"] = uid;
  if (old) {
    auto prev = parse_json(old->json, nullptr);
    const auto* created = prev ? find_path(*prev, {"metadata", "creationTimestamp"}) : nullptr;
    meta["creationTimestamp"] = created ? *created : json(rfc3339(clock_()));
    const auto* gen = prev ? find_path(*prev, {"metadata", "generation"}) : nullptr;
    const auto* old_spec = prev ? find_path(*prev, {"spec"}) : nullptr;
    const auto* new_spec = find_path(obj, {"spec"});
    int64_t g = gen && gen->is_number_integer() ? gen->get<int64_t>() : 1;
    bool spec_changed = (old_spec == nullptr) != (new_spec == nullptr)
                        || (old_spec && new_spec && !same_json(*old_spec, *new_spec));
    meta["generation"] = spec_changed ? g + 1 : g;
  } else {
    meta["creationTimestamp"] = rfc3339(clock_());
    meta["generation"] = 1;
  }
  if (old) {
    // A write that changes nothing is a no-op, as on the API server (etcd keeps the object):
    // no new resource version, no watch event.
    meta["resourceVersion"] = std::to_string(old->resource_version);
    if (dump_json(obj) == old->json)
      return {old, std::nullopt};
  }
  auto rv = ++rv_;
  meta["resourceVersion"] = std::to_string(rv);

  auto so = std::make_shared<stored_object>();
  so->namespace_ = rt.namespaced ? ns : std::string{};
  so->name = name;
  so->uid = uid;
  so->resource_version = rv;
  if (const auto* labels = find_path(meta, {"labels"}); labels && labels->is_object())
    for (const auto& [k, v] : labels->items())
      if (v.is_string())
        so->labels.emplace(k, v.get<std::string>());
  for (const auto& f : rt.selectable_fields)
    so->fields.emplace(f, field_text(obj, f));
  so->json = dump_json(obj);

  tables_[rt.id()][object_key(so->namespace_, name)] = so;
  emit_locked(old ? event_type::modified : event_type::added, rt, so, old);
  if (crd)
    for (const auto* gone : crds_.set(name, std::move(crd->types)))
      drop_objects_locked(*gone);
  return {so, std::nullopt};
}

void store::set_service_range(uint32_t cluster_index) {
  std::lock_guard guard{mutex_};
  service_range_ = cluster_index;
}

std::string store::default_locked(const resource_type& rt, json& obj, const object_ptr& old) {
  apply_api_defaults(rt, obj);
  if (!rt.group.empty() || rt.kind != "Service")
    return {};
  auto previous = old ? parse_json(old->json, nullptr) : std::nullopt;
  return assign_cluster_ip(obj, previous ? &*previous : nullptr, service_range_, [&] {
    std::set<std::string> used;
    for (const auto& [key, svc] : tables_[rt.id()])
      collect_cluster_ips(svc->json, used);
    return used;
  });
}

object_result store::create(const resource_type& rt, const std::string& ns, json obj) {
  if (!obj.is_object())
    return {nullptr, bad_request("the body of a create must be a JSON object")};
  std::lock_guard guard{mutex_};
  auto name = string_at(obj, {"metadata", "name"});
  if (name.empty()) {
    auto prefix = string_at(obj, {"metadata", "generateName"});
    if (prefix.empty())
      return {nullptr, invalid_object(rt, "",
                                      "metadata.name: Required value: name or generateName is "
                                      "required")};
    name = prefix + random_hex(3).substr(0, 5);
  }
  if (const auto* k = find_path(obj, {"kind"}); k && k->is_string() && *k != rt.kind)
    return {nullptr, bad_request("the kind of the object (" + k->get<std::string>()
                                 + ") does not match the resource (" + rt.kind + ")")};
  if (rt.namespaced) {
    auto body_ns = string_at(obj, {"metadata", "namespace"});
    if (!body_ns.empty() && body_ns != ns)
      return {nullptr, bad_request("the namespace of the provided object does not match the "
                                   "namespace sent on the request")};
    const auto* nsr = find_resource("", "v1", "namespaces");
    auto& nst = tables_[nsr->id()];
    if (!nst.contains(object_key("", ns)))
      return {nullptr,
              api_error{404, "NotFound", "namespaces \"" + ns + "\" not found", "namespaces", ns}};
  }
  auto& t = tables_[rt.id()];
  if (t.contains(object_key(rt.namespaced ? ns : "", name)))
    return {nullptr,
            api_error{409, "AlreadyExists", rt.resource + " \"" + name + "\" already exists",
                      rt.resource, name}};
  return store_locked(rt, std::move(obj), nullptr, ns, name);
}

object_result store::update(const resource_type& rt, const std::string& ns, const std::string& name,
                            json obj) {
  if (!obj.is_object())
    return {nullptr, bad_request("the body of an update must be a JSON object")};
  std::lock_guard guard{mutex_};
  auto body_name = string_at(obj, {"metadata", "name"});
  if (!body_name.empty() && body_name != name)
    return {nullptr, bad_request("the name of the object (" + body_name
                                 + ") does not match the name on the URL (" + name + ")")};
  auto& t = tables_[rt.id()];
  auto it = t.find(object_key(rt.namespaced ? ns : "", name));
  if (it == t.end())
    return {nullptr, not_found(rt, name)};
  auto want = string_at(obj, {"metadata", "resourceVersion"});
  if (!want.empty() && want != std::to_string(it->second->resource_version))
    return {nullptr, conflict(rt, name)};
  auto old = it->second;
  return store_locked(rt, std::move(obj), old, ns, name);
}

object_result store::patch(const resource_type& rt, const std::string& ns, const std::string& name,
                           patch_type type, const json& p) {
  if (!p.is_object())
    return {nullptr, bad_request("a patch must be a JSON object")};
  std::lock_guard guard{mutex_};
  auto& t = tables_[rt.id()];
  auto it = t.find(object_key(rt.namespaced ? ns : "", name));
  if (it == t.end())
    return {nullptr, not_found(rt, name)};
  auto old = it->second;
  auto obj = parse_json(old->json, nullptr);
  if (!obj)
    return {nullptr,
            api_error{500, "InternalError", "stored object does not parse", rt.resource, name}};
  if (type == patch_type::merge) {
    obj->merge_patch(p);
  } else if (auto err = apply_strategic_merge_patch(*obj, p)) {
    return {nullptr, bad_request(*err)};
  }
  auto want = string_at(*obj, {"metadata", "resourceVersion"});
  if (!want.empty() && want != std::to_string(old->resource_version))
    return {nullptr, conflict(rt, name)};
  if (string_at(*obj, {"metadata", "name"}) != name)
    return {nullptr, invalid_object(rt, name, "metadata.name: a patch may not change the name")};
  return store_locked(rt, std::move(*obj), old, ns, name);
}

object_result store::remove_locked(const resource_type& rt, const std::string& ns,
                                   const std::string& name) {
  auto& t = tables_[rt.id()];
  auto it = t.find(object_key(rt.namespaced ? ns : "", name));
  if (it == t.end())
    return {nullptr, not_found(rt, name)};
  auto old = it->second;
  t.erase(it);
  // The DELETED event carries the last state with the deletion's resource version.
  auto obj = parse_json(old->json, nullptr);
  auto rv = ++rv_;
  auto gone = std::make_shared<stored_object>(*old);
  gone->resource_version = rv;
  if (obj) {
    (*obj)["metadata"]["resourceVersion"] = std::to_string(rv);
    gone->json = dump_json(*obj);
  }
  emit_locked(event_type::deleted, rt, gone, nullptr);
  return {gone, std::nullopt};
}

object_result store::remove(const resource_type& rt, const std::string& ns,
                            const std::string& name) {
  std::lock_guard guard{mutex_};
  if (is_crd_resource(rt) && tables_[rt.id()].contains(object_key("", name)))
    for (const auto* gone : crds_.erase(name))
      drop_objects_locked(*gone);
  if (rt.group.empty() && rt.kind == "Namespace") {
    if (!tables_[rt.id()].contains(object_key("", name)))
      return {nullptr, not_found(rt, name)};
    for (const auto* type : namespaced_types_locked()) {
      const auto& r = *type;
      auto& t = tables_[r.id()];
      std::vector<std::string> names;
      auto prefix = name + "/";
      for (auto it = t.lower_bound(prefix); it != t.end() && it->first.starts_with(prefix); ++it)
        names.push_back(it->second->name);
      for (const auto& n : names)
        remove_locked(r, name, n);
    }
  }
  return remove_locked(rt, ns, name);
}

object_result store::get(const resource_type& rt, const std::string& ns,
                         const std::string& name) const {
  std::lock_guard guard{mutex_};
  auto ti = tables_.find(rt.id());
  if (ti != tables_.end()) {
    auto it = ti->second.find(object_key(rt.namespaced ? ns : "", name));
    if (it != ti->second.end())
      return {it->second, std::nullopt};
  }
  return {nullptr, not_found(rt, name)};
}

object_result create_generated(store& s, const resource_type& rt, const std::string& ns,
                               const std::string& json_text) {
  std::string err;
  auto obj = parse_json(json_text, &err);
  if (!obj)
    throw std::logic_error("kube-sim: a generated " + rt.kind + " does not parse: " + err);
  return s.create(rt, ns, std::move(*obj));
}

} // namespace ambient::sim
