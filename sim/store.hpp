#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "sim/api_errors.hpp"
#include "sim/crd_registry.hpp"
#include "sim/field_selector.hpp"
#include "sim/json.hpp"
#include "sim/label_selector.hpp"
#include "sim/resources.hpp"

namespace ambient::sim {

/// One stored object, immutable once stored: its serialized JSON (with metadata.resourceVersion)
/// and the fields selectors need.
struct stored_object {
  std::string namespace_;
  std::string name;
  std::string uid;
  uint64_t resource_version = 0;
  label_map labels;
  std::map<std::string, std::string, std::less<>> fields; ///< selectable fields beyond metadata
  std::string json;
};

using object_ptr = std::shared_ptr<const stored_object>;

/// The kind of a watch event, as on the wire.
enum class event_type { added, modified, deleted };

/// Returns "ADDED", "MODIFIED" or "DELETED".
const char* to_string(event_type t);

/// One change in the store's history.
struct watch_event {
  event_type type;
  const resource_type* resource;
  object_ptr object;   ///< for deletes: the last state, with the delete's resource version
  object_ptr previous; ///< for modifications: the state before (selectors need both)
};

/// Result of a mutation or get: the object, or the error.
struct object_result {
  object_ptr object;
  std::optional<api_error> error;
};

/// Which objects a list or watch selects.
struct object_filter {
  std::string namespace_; ///< empty: all namespaces
  label_selector labels;
  field_selector fields;
  bool matches(const stored_object& o) const;
};

/// A page of a LIST.
struct list_result {
  std::vector<object_ptr> items;
  uint64_t resource_version = 0;
  std::string continue_token;
  std::optional<api_error> error;
};

/// Receives the events a watch selects. Called with the store's lock held: it must only enqueue,
/// and its destructor must not call the store (it may run under the lock). The store drops a
/// watch once its sink is gone.
class watch_sink {
public:
  virtual ~watch_sink() = default;
  virtual void on_event(const watch_event& e) = 0;
};

/// Result of starting a watch.
struct watch_start {
  /// Events to deliver first (history since the requested version, or synthetic ADDEDs).
  std::vector<watch_event> backlog;
  uint64_t resource_version = 0;  ///< the store's version when the watch started
  std::optional<api_error> error; ///< 410 Expired when the version is older than the history
  uint64_t watch_id = 0;
};

/// The storage of one simulated cluster: every resource, one resource-version counter, a bounded
/// event history, and the watches. Thread-safe. Keys are kept sorted, so LIST pages are stable.
class store {
public:
  /// `history_limit` bounds the events kept for watches that resume from an old version.
  explicit store(size_t history_limit = 100'000,
                 std::function<std::chrono::system_clock::time_point()> clock = nullptr);

  /// The store's clock: what its timestamps, and the token endpoints' idea of now, come from.
  std::chrono::system_clock::time_point now() const {
    return clock_();
  }

  /// The cluster whose service range (service_ip) ClusterIPs are allocated from; 0 until set.
  void set_service_range(uint32_t cluster_index);

  /// Looks up a resource this cluster serves: a builtin one, or one its CRDs define; nullptr if
  /// none. The type stays valid as long as the store.
  const resource_type* find_type(std::string_view group, std::string_view version,
                                 std::string_view resource) const;
  /// Every resource this cluster serves: the builtin ones, then those its CRDs define.
  std::vector<const resource_type*> served_types() const;

  /// Creates an object; the API server's defaults are applied on every write (apply_api_defaults,
  /// assign_cluster_ip).
  object_result create(const resource_type& rt, const std::string& ns, json obj);
  /// Replaces an object; a non-empty metadata.resourceVersion must match (else 409 Conflict).
  object_result update(const resource_type& rt, const std::string& ns, const std::string& name,
                       json obj);
  enum class patch_type { merge, strategic };
  object_result patch(const resource_type& rt, const std::string& ns, const std::string& name,
                      patch_type type, const json& patch);
  /// Deletes an object (a namespace takes its namespaced objects with it, a CRD the objects of
  /// its types).
  object_result remove(const resource_type& rt, const std::string& ns, const std::string& name);
  object_result get(const resource_type& rt, const std::string& ns, const std::string& name) const;

  /// Lists objects in key order; `limit` 0 means everything; `continue_token` from a previous page.
  list_result list(const resource_type& rt, const object_filter& filter, size_t limit,
                   const std::string& continue_token) const;

  /// Starts a watch from `resource_version` ("" or "0": synthetic ADDEDs of the current state).
  watch_start watch(const resource_type& rt, const object_filter& filter,
                    const std::string& resource_version, std::shared_ptr<watch_sink> sink);
  void unwatch(uint64_t watch_id);

  /// Drops all history: every watch from an older version now gets 410 Expired.
  void compact();
  uint64_t resource_version() const;
  /// The oldest version whose state the history can still rebuild (the history holds every event
  /// newer than it): a list or watch from an older one gets 410 Expired.
  uint64_t oldest_resource_version() const;
  size_t object_count(const resource_type& rt) const;
  size_t watch_count() const;

private:
  struct watcher {
    const resource_type* resource;
    object_filter filter;
    std::weak_ptr<watch_sink> sink;
  };
  using table = std::map<std::string, object_ptr, std::less<>>; // key "ns/name"

  object_result store_locked(const resource_type& rt, json obj, const object_ptr& old,
                             const std::string& ns, const std::string& name);
  void emit_locked(event_type type, const resource_type& rt, object_ptr obj, object_ptr previous);
  object_result remove_locked(const resource_type& rt, const std::string& ns,
                              const std::string& name);
  /// Defaults `obj` as the API server would; returns why it cannot be stored, or "".
  std::string default_locked(const resource_type& rt, json& obj, const object_ptr& old);
  /// For a CRD: reads the types it defines into `def` and sets its status; why it is refused.
  std::optional<api_error> prepare_crd_locked(json& obj, const object_ptr& old,
                                              const std::string& name, crd_definition& def);
  /// Deletes every object of `rt` (DELETED events included).
  void drop_objects_locked(const resource_type& rt);
  /// The namespaced types served now: what deleting a namespace empties.
  std::vector<const resource_type*> namespaced_types_locked() const;

  mutable std::mutex mutex_;
  std::function<std::chrono::system_clock::time_point()> clock_;
  std::map<std::string, table, std::less<>> tables_; // by resource id
  uint64_t rv_ = 1;
  uint64_t oldest_rv_ = 1; ///< history holds every event with rv > oldest_rv_
  std::deque<watch_event> history_;
  size_t history_limit_;
  std::map<uint64_t, watcher> watchers_;
  uint64_t next_watch_id_ = 1;
  uint32_t service_range_ = 0;
  crd_registry crds_;
};

/// Creates an object from JSON text that kube-sim generated itself: the store's answer. A text
/// that does not parse is a bug of the generator: std::logic_error naming the kind.
object_result create_generated(store& s, const resource_type& rt, const std::string& ns,
                               const std::string& json_text);

/// Returns the "ns/name" key of an object.
std::string object_key(std::string_view ns, std::string_view name);

} // namespace ambient::sim
