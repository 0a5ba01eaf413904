#pragma once

#include "kube/objects.hpp"
#include "mesh/label_selector.hpp"

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace ambient::mesh {

/// Namespaces whose admission by a discovery_filter changed, sorted by name: the caller
/// re-evaluates the objects of exactly these namespaces.
struct filter_change {
  std::vector<std::string> added, removed;

  /// True when no namespace changed.
  bool empty() const {
    return added.empty() && removed.empty();
  }

  bool operator==(const filter_change&) const = default;
};

/// The namespace filter of one cluster (istiod's discoveryNamespacesFilter, without the informer):
/// a namespace is admitted when its labels match any of the discovery selectors, and every
/// namespace is when there are none. Fed namespace events, it reports which namespaces moved in
/// or out. With selectors it starts closed and admits nothing until the namespace informer has
/// synced, so objects are never admitted from a partial namespace list; it never blocks.
class discovery_filter {
public:
  /// A filter with `selectors` (none: admit everything, even before sync).
  explicit discovery_filter(std::vector<label_selector> selectors = {});

  /// A namespace was added or updated.
  filter_change on_namespace(const kube::namespace_& ns);

  /// A namespace was deleted. Forgotten silently, as istiod does: its objects go with it.
  filter_change on_namespace_deleted(std::string_view name);

  /// The namespace informer has listed every namespace: selected namespaces open up.
  filter_change on_synced();

  /// The cluster's discovery selectors changed (mesh config reload): re-evaluates every known
  /// namespace.
  filter_change set_selectors(std::vector<label_selector> selectors);

  /// Whether objects of namespace `namespace_name` are admitted. Cluster-scoped objects ("")
  /// always are; a Namespace object is judged by its own name.
  bool admits(std::string_view namespace_name) const;

  /// Whether on_synced() has been called.
  bool synced() const {
    return synced_;
  }

  /// The current selectors.
  const std::vector<label_selector>& selectors() const {
    return selectors_;
  }

private:
  /// A namespace the informer reported: its labels, and whether the selectors match them.
  struct known_namespace {
    kube::string_map labels;
    bool selected = false;
  };

  bool selected(const kube::string_map& labels) const;
  bool admitted(const known_namespace& ns) const;
  /// Applies `update` to the filter and reports every known namespace whose admission changed.
  filter_change reevaluate(const std::function<void()>& update);

  std::vector<label_selector> selectors_;
  bool synced_ = false;
  std::map<std::string, known_namespace, std::less<>> namespaces_;
};

} // namespace ambient::mesh
