#pragma once

#include <algorithm>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

/// What every decoded Kubernetes object carries: its metadata, and the sorted maps it is made of.
namespace ambient::kube {

/// Labels, annotations, selectors and data: sorted by key, unique keys. A sorted vector is smaller
/// and faster to compare than a map for the handful of entries objects carry.
using string_map = std::vector<std::pair<std::string, std::string>>;

/// The value of `key` in a sorted map, if present.
inline std::optional<std::string_view> lookup(const string_map& m, std::string_view key) {
  auto i = std::lower_bound(m.begin(), m.end(), key,
                            [](const auto& kv, std::string_view k) { return kv.first < k; });
  if (i == m.end() || i->first != key)
    return std::nullopt;
  return std::string_view{i->second};
}

/// The part of `metadata` every kind shares. The annotation
/// `kubectl.kubernetes.io/last-applied-configuration` is dropped: it is a second copy of the
/// object (for Secrets, of their data) that the mesh never reads.
struct object_meta {
  std::string namespace_, name, uid, resource_version;
  string_map labels, annotations;
  bool deleting = false; ///< deletionTimestamp is set: the object is terminating.
  bool operator==(const object_meta&) const = default;
};

/// The "namespace/name" (or "name") key of an object.
inline std::string object_key(const object_meta& meta) {
  if (meta.namespace_.empty())
    return meta.name;
  return meta.namespace_ + "/" + meta.name;
}

/// The namespace part of an object key ("" for a cluster-scoped "name").
inline std::string namespace_of_key(std::string_view key) {
  auto slash = key.find('/');
  return slash == std::string_view::npos ? std::string{} : std::string{key.substr(0, slash)};
}

} // namespace ambient::kube
