#include "sim/store.hpp"

#include <algorithm>
#include <charconv>
#include <ctime>

#include "sim/base64.hpp"
#include "sim/json_patch.hpp"
#include "sim/pki.hpp"
#include "sim/secret_data.hpp"

namespace ambient::sim {

namespace {

std::string rfc3339(std::chrono::system_clock::time_point tp) {
  std::time_t t = std::chrono::system_clock::to_time_t(tp);
  std::tm utc{};
  gmtime_r(&t, &utc);
  char buf[32];
  auto n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return {buf, n};
}

std::string make_uid() {
  auto h = random_hex(16);
  return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) + "-"
         + h.substr(20, 12);
}

std::optional<uint64_t> parse_rv(std::string_view text) {
  uint64_t v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc{} || p != text.data() + text.size() || text.empty())
    return std::nullopt;
  return v;
}

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

api_error not_found(const resource_type& rt, const std::string& name) {
  return {404, "NotFound", rt.resource + " \"" + name + "\" not found", rt.resource, name};
}

api_error conflict(const resource_type& rt, const std::string& name) {
  return {409, "Conflict",
          "Operation cannot be fulfilled on " + rt.resource + " \"" + name
              + "\": the object has been modified; please apply your changes to the latest version "
                "and try again",
          rt.resource, name};
}

api_error bad_request(std::string message) {
  return {400, "BadRequest", std::move(message), {}, {}};
}

api_error invalid(const resource_type& rt, const std::string& name, std::string message) {
  return {422, "Invalid", rt.kind + " \"" + name + "\" is invalid: " + message, rt.resource, name};
}

/// A continue token: the list's resource version and the last key returned, base64-encoded.
std::string make_continue(uint64_t rv, const std::string& key) {
  return base64_encode(std::to_string(rv) + "\n" + key);
}

std::optional<std::pair<uint64_t, std::string>> parse_continue(const std::string& token) {
  auto raw = base64_decode(token);
  if (!raw)
    return std::nullopt;
  auto nl = raw->find('\n');
  if (nl == std::string::npos)
    return std::nullopt;
  auto rv = parse_rv(std::string_view{*raw}.substr(0, nl));
  if (!rv)
    return std::nullopt;
  return std::make_pair(*rv, raw->substr(nl + 1));
}

/// What a watch with `filter` sees of `e`: a modification that moves an object into the filter is
/// an ADDED, out of it a DELETED (as the API server's cacher does); nullopt when it sees nothing.
std::optional<watch_event> as_seen_by(const object_filter& filter, const watch_event& e) {
  bool now_matches = filter.matches(*e.object);
  if (e.type != event_type::modified)
    return now_matches ? std::optional{e} : std::nullopt;
  bool before_matches = e.previous && filter.matches(*e.previous);
  if (now_matches && before_matches)
    return e;
  if (now_matches)
    return watch_event{event_type::added, e.resource, e.object, nullptr};
  if (before_matches)
    return watch_event{event_type::deleted, e.resource, e.object, nullptr};
  return std::nullopt;
}

} // namespace

const char* to_string(event_type t) {
  switch (t) {
    case event_type::added:
      return "ADDED";
    case event_type::modified:
      return "MODIFIED";
    case event_type::deleted:
      return "DELETED";
  }
  return "ERROR";
}

std::string status_json(const api_error& e) {
  std::string out
      = R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":)";
  out += dump_json(e.message);
  out += R"(,"reason":)";
  out += dump_json(e.reason);
  if (!e.kind.empty() || !e.name.empty()) {
    out += R"(,"details":{)";
    bool first = true;
    if (!e.name.empty()) {
      out += R"("name":)";
      out += dump_json(e.name);
      first = false;
    }
    if (!e.kind.empty()) {
      out += first ? "" : ",";
      out += R"("kind":)";
      out += dump_json(e.kind);
    }
    out += '}';
  }
  out += R"(,"code":)" + std::to_string(e.code) + "}";
  return out;
}

std::string object_key(std::string_view ns, std::string_view name) {
  std::string k{ns};
  k += '/';
  k += name;
  return k;
}

bool object_filter::matches(const stored_object& o) const {
  if (!namespace_.empty() && o.namespace_ != namespace_)
    return false;
  if (!labels.empty() && !labels.matches(o.labels))
    return false;
  if (!fields.empty()) {
    return fields.matches([&o](std::string_view f) -> std::string_view {
      if (f == "metadata.name")
        return o.name;
      if (f == "metadata.namespace")
        return o.namespace_;
      auto i = o.fields.find(f);
      return i == o.fields.end() ? std::string_view{} : std::string_view{i->second};
    });
  }
  return true;
}

store::store(size_t history_limit, std::function<std::chrono::system_clock::time_point()> clock)
  : clock_(clock ? std::move(clock) : [] { return std::chrono::system_clock::now(); }),
    history_limit_(history_limit) {
  // nop
}

object_result store::store_locked(const resource_type& rt, json obj, const object_ptr& old,
                                  const std::string& ns, const std::string& name) {
  // Before any reference into obj is taken: folding may add members.
  if (rt.kind == "Secret")
    if (auto error = fold_string_data(obj); !error.empty())
      return {nullptr, invalid(rt, name, std::move(error))};
  obj["apiVersion"] = rt.api_version();
  obj["kind"] = rt.kind;
  auto& meta = obj["metadata"];
  if (!meta.is_object())
    return {nullptr, invalid(rt, name, "metadata: must be an object")};
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
  return {so, std::nullopt};
}

void store::emit_locked(event_type type, const resource_type& rt, object_ptr obj,
                        object_ptr previous) {
  watch_event e{type, &rt, std::move(obj), std::move(previous)};
  // Watches whose sink is gone are pruned here. A sink may die while we hold it (its last other
  // owner let go): its destructor then runs under our lock, so sinks must never call back into
  // the store when destroyed.
  for (auto it = watchers_.begin(); it != watchers_.end();) {
    auto& w = it->second;
    if (w.resource != &rt) {
      ++it;
      continue;
    }
    auto sink = w.sink.lock();
    if (!sink) {
      it = watchers_.erase(it);
      continue;
    }
    if (auto seen = as_seen_by(w.filter, e))
      sink->on_event(*seen);
    ++it;
  }
  history_.push_back(std::move(e));
  while (history_.size() > history_limit_) {
    oldest_rv_ = history_.front().object->resource_version;
    history_.pop_front();
  }
}

object_result store::create(const resource_type& rt, const std::string& ns, json obj) {
  if (!obj.is_object())
    return {nullptr, bad_request("the body of a create must be a JSON object")};
  std::lock_guard guard{mutex_};
  auto name = string_at(obj, {"metadata", "name"});
  if (name.empty()) {
    auto prefix = string_at(obj, {"metadata", "generateName"});
    if (prefix.empty())
      return {nullptr, invalid(rt, "",
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
    return {nullptr, invalid(rt, name, "metadata.name: a patch may not change the name")};
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
  if (rt.kind == "Namespace") {
    if (!tables_[rt.id()].contains(object_key("", name)))
      return {nullptr, not_found(rt, name)};
    for (const auto& r : builtin_resources()) {
      if (!r.namespaced)
        continue;
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

list_result store::list(const resource_type& rt, const object_filter& filter, size_t limit,
                        const std::string& continue_token) const {
  std::lock_guard guard{mutex_};
  list_result out;
  out.resource_version = rv_;
  std::string after;
  if (!continue_token.empty()) {
    auto c = parse_continue(continue_token);
    if (!c)
      return {{}, 0, {}, bad_request("invalid continue token")};
    if (c->first < oldest_rv_)
      return {{},
              0,
              {},
              api_error{410,
                        "Expired",
                        "The provided continue parameter is too old to display a consistent "
                        "list result. You can start a new list without the continue parameter.",
                        {},
                        {}}};
    out.resource_version = c->first;
    after = c->second;
  }
  auto ti = tables_.find(rt.id());
  if (ti == tables_.end())
    return out;
  const auto& t = ti->second;
  auto it = after.empty() ? t.begin() : t.upper_bound(after);
  if (!filter.namespace_.empty() && after.empty())
    it = t.lower_bound(filter.namespace_ + "/");
  for (; it != t.end(); ++it) {
    if (!filter.namespace_.empty() && !it->first.starts_with(filter.namespace_ + "/"))
      break;
    if (!filter.matches(*it->second))
      continue;
    if (limit != 0 && out.items.size() == limit) {
      out.continue_token = make_continue(
          out.resource_version, object_key(out.items.back()->namespace_, out.items.back()->name));
      break;
    }
    out.items.push_back(it->second);
  }
  return out;
}

watch_start store::watch(const resource_type& rt, const object_filter& filter,
                         const std::string& resource_version, std::shared_ptr<watch_sink> sink) {
  std::lock_guard guard{mutex_};
  watch_start out;
  out.resource_version = rv_;
  if (resource_version.empty() || resource_version == "0") {
    if (auto ti = tables_.find(rt.id()); ti != tables_.end())
      for (const auto& [k, o] : ti->second)
        if (filter.matches(*o))
          out.backlog.push_back({event_type::added, &rt, o, nullptr});
  } else {
    auto from = parse_rv(resource_version);
    if (!from) {
      out.error = bad_request("invalid resourceVersion: " + resource_version);
      return out;
    }
    if (*from < oldest_rv_) {
      out.error = api_error{410,
                            "Expired",
                            "too old resource version: " + resource_version + " ("
                                + std::to_string(oldest_rv_) + ")",
                            {},
                            {}};
      return out;
    }
    auto first = std::partition_point(history_.begin(), history_.end(), [&](const watch_event& e) {
      return e.object->resource_version <= *from;
    });
    for (auto it = first; it != history_.end(); ++it) {
      if (it->resource == &rt)
        if (auto seen = as_seen_by(filter, *it))
          out.backlog.push_back(std::move(*seen));
    }
  }
  std::erase_if(watchers_, [](const auto& kv) { return kv.second.sink.expired(); });
  out.watch_id = next_watch_id_++;
  watchers_.emplace(out.watch_id, watcher{&rt, filter, sink});
  return out;
}

void store::unwatch(uint64_t watch_id) {
  std::lock_guard guard{mutex_};
  watchers_.erase(watch_id);
}

void store::compact() {
  std::lock_guard guard{mutex_};
  history_.clear();
  oldest_rv_ = rv_;
}

uint64_t store::resource_version() const {
  std::lock_guard guard{mutex_};
  return rv_;
}

uint64_t store::oldest_resource_version() const {
  std::lock_guard guard{mutex_};
  return oldest_rv_;
}

size_t store::object_count(const resource_type& rt) const {
  std::lock_guard guard{mutex_};
  auto ti = tables_.find(rt.id());
  return ti == tables_.end() ? 0 : ti->second.size();
}

size_t store::watch_count() const {
  std::lock_guard guard{mutex_};
  return static_cast<size_t>(std::count_if(watchers_.begin(), watchers_.end(), [](const auto& kv) {
    return !kv.second.sink.expired();
  }));
}

} // namespace ambient::sim
