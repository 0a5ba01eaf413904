#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "xds/change_log.hpp"

namespace ambient::xds {

/// One resource of one type at one version, serialized once and shared by every stream that
/// sends it.
struct resource_entry {
  std::string name;
  /// The table version at which the resource last changed, in decimal.
  std::string version;
  /// The serialized resource message itself (for Address: the istio.workload.Address bytes),
  /// *not* packed in a google.protobuf.Any: the gRPC layer wraps it as Any{type_url, value=bytes}.
  std::string bytes;
  /// Other keys the resource answers to on demand (for Address: "network/ip" of each address),
  /// sent as the xDS Resource's aliases.
  std::vector<std::string> aliases;
};

using entry_ptr = std::shared_ptr<const resource_entry>;

/// What the istio.workload.Address lookups (resource_table::resolve) need to know of a resource.
struct address_lookup {
  bool workload = false;             ///< a workload (else a service)
  std::vector<std::string> services; ///< a workload's service keys ("namespace/hostname")
  std::string node;                  ///< a workload's node (empty: none, or a service)
};

/// A resource to add or replace.
struct resource_update {
  std::string name;
  std::string bytes;
  std::vector<std::string> aliases;
  /// For istio.workload.Address only: what the on-demand lookups index.
  std::optional<address_lookup> lookup = std::nullopt;
};

/// Every resource of one type URL, owned by one actor: the versioned, serialized state that delta
/// and state-of-the-world sessions compute their responses from. Keeps a bounded change log (what
/// changed after a table version) and, for istio.workload.Address, the on-demand lookup keys
/// ztunnel asks by: workload uid, "namespace/hostname" of a service, "network/ip" of a workload
/// address or service VIP. Pure: no I/O.
class resource_table {
public:
  static constexpr std::size_t default_max_log_entries = 65536;

  explicit resource_table(std::string type_url,
                          std::size_t max_log_entries = default_max_log_entries);

  const std::string& type_url() const {
    return type_url_;
  }

  /// Resource versions (and response versions) read `<prefix><table version>`. ambientd sets a
  /// prefix of its own per process, so versions a client cached from another process (before a
  /// restart, or from another replica) never pass for current ones: such a client gets every
  /// resource again instead of keeping stale ones. Set it before the first apply().
  void set_version_prefix(std::string prefix) {
    version_prefix_ = std::move(prefix);
  }
  /// The version string of table version `v`.
  std::string version_string(uint64_t v) const {
    return version_prefix_ + std::to_string(v);
  }

  /// The table version: that of the last apply() that changed something (0: never changed).
  uint64_t version() const {
    return version_;
  }

  /// Applies one change of the table: removals first, then upserts; every changed resource gets
  /// `new_version`. Upserts whose bytes, aliases and lookup equal the current entry, and removals
  /// of unknown names, change nothing. Returns the number of resources changed. A change that is
  /// not empty must carry a version above version() (broken invariant otherwise:
  /// std::logic_error).
  std::size_t apply(std::vector<resource_update> upserts, const std::vector<std::string>& removes,
                    uint64_t new_version);

  /// The resource named `name`, or null.
  entry_ptr find(std::string_view name) const;

  /// Every resource, by name.
  const std::map<std::string, entry_ptr, std::less<>>& entries() const {
    return entries_;
  }

  /// The names upserted or removed after `since_version`, or full_resync when the change log no
  /// longer reaches back that far.
  change_set changed_since(uint64_t since_version) const {
    return log_.since(since_version);
  }

  /// The same, kept until the table or the asked version changes: every stream that was in
  /// step asks the same question after an apply(), and only the first one pays for it.
  const change_set& changes_after(uint64_t since_version) const;

  /// Versions at or below this one are out of the change log.
  uint64_t resync_floor() const {
    return log_.floor();
  }

  /// The resource names an on-demand key stands for, sorted (empty: nothing by that key):
  /// - a resource name: that resource, and for a service also every workload whose `services`
  ///   map names it;
  /// - an alias ("network/ip"): the workloads with that address if there are any, otherwise the
  ///   services with that VIP and their workloads (istiod's ambient index Lookup order).
  std::vector<std::string> resolve(std::string_view key) const;

  /// The names of the workloads whose `services` map has `service_key` ("namespace/hostname").
  std::vector<std::string> workloads_of(std::string_view service_key) const;

  /// The names of the workloads whose `node` is `node` (empty when none is, or `node` is empty):
  /// what istiod pushes unasked to an on-demand ztunnel of that node.
  const std::set<std::string>& workloads_on(std::string_view node) const;

private:
  void check_version(uint64_t new_version) const;
  bool upsert(std::string name, std::string bytes, std::vector<std::string> aliases,
              const address_lookup* info, uint64_t new_version);
  bool erase(const std::string& name, uint64_t new_version);
  /// Takes `e` out of the alias and Address indexes (not the node index); returns its node.
  std::string unindex(const resource_entry& e);
  void index(const resource_entry& e, const address_lookup* info);
  /// Moves workload `name` from node `from` to node `to` in the node index (empty: none).
  void move_node(const std::string& name, std::string_view from, std::string_view to);

  std::string type_url_;
  std::string version_prefix_;
  uint64_t version_ = 0;
  std::map<std::string, entry_ptr, std::less<>> entries_;
  /// The same entries hashed by name (keys view each entry's own name): find() is called for
  /// every candidate of every stream's response, and names share long prefixes.
  std::unordered_map<std::string_view, entry_ptr> by_name_;
  change_log log_;
  struct changes_cache {
    uint64_t since = 0, version = 0;
    bool valid = false;
    change_set changes;
  };
  mutable changes_cache changes_cache_;
  std::map<std::string, std::set<std::string>, std::less<>> alias_names_;
  std::map<std::string, address_lookup, std::less<>> address_info_;
  std::map<std::string, std::set<std::string>, std::less<>> service_workloads_;
  /// node → the workloads on it; only workloads with a node are indexed.
  std::map<std::string, std::set<std::string>, std::less<>> node_workloads_;
};

} // namespace ambient::xds
