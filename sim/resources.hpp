#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace ambient::sim {

/// One kind of object kube-sim serves, with what discovery says about it.
struct resource_type {
  std::string group;    ///< "" for the core group
  std::string version;  ///< "v1"
  std::string resource; ///< plural, as in URLs: "pods"
  std::string singular; ///< "pod"
  std::string kind;     ///< "Pod"
  bool namespaced = true;
  std::vector<std::string> short_names;
  /// Field selectors this resource supports beyond metadata.name and metadata.namespace.
  std::vector<std::string> selectable_fields;

  /// "v1" or "apps/v1".
  std::string api_version() const;
  /// "PodList".
  std::string list_kind() const {
    return kind + "List";
  }
  /// Unique key of the resource: "group/version/resource" ("/v1/pods" for core).
  std::string id() const;

  bool operator==(const resource_type&) const = default;
};

/// Every resource kube-sim serves in every cluster (a cluster's CRDs add more: store::find_type).
const std::vector<resource_type>& builtin_resources();

/// Looks up a builtin resource by group, version and plural name; nullptr if not one.
const resource_type* find_resource(std::string_view group, std::string_view version,
                                   std::string_view resource);

/// The verbs discovery lists for every served resource.
const std::vector<std::string>& resource_verbs();

} // namespace ambient::sim
