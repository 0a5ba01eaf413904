#include "sim/store.hpp"

#include "base/decimal.hpp"

#include <algorithm>
#include <iterator>

namespace ambient::sim {

namespace {

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

/// Whether events of `b` belong to a watch of `a`: the same type, or the same collection under a
/// type a CRD update re-registered (a new short name makes a new type of the same resource).
bool same_collection(const resource_type& a, const resource_type& b) {
  return &a == &b || (a.resource == b.resource && a.version == b.version && a.group == b.group);
}

} // namespace

const char* to_string(event_type t) {
  static constexpr const char* names[] = {"ADDED", "MODIFIED", "DELETED"};
  auto i = static_cast<size_t>(t);
  return i < std::size(names) ? names[i] : "ERROR";
}

void store::emit_locked(event_type type, const resource_type& rt, object_ptr obj,
                        object_ptr previous) {
  watch_event e{type, &rt, std::move(obj), std::move(previous)};
  // Watches whose sink is gone are pruned here. A sink may die while we hold it (its last other
  // owner let go): its destructor then runs under our lock, so sinks must never call back into
  // the store when destroyed.
  for (auto it = watchers_.begin(); it != watchers_.end();) {
    auto& w = it->second;
    if (!same_collection(*w.resource, rt)) {
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
    auto from = base::parse_decimal<uint64_t>(resource_version);
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
      if (same_collection(*it->resource, rt))
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

size_t store::watch_count() const {
  std::lock_guard guard{mutex_};
  return static_cast<size_t>(std::count_if(watchers_.begin(), watchers_.end(), [](const auto& kv) {
    return !kv.second.sink.expired();
  }));
}

} // namespace ambient::sim
