#pragma once

#include <deque>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "sim/json.hpp"
#include "sim/resources.hpp"

namespace ambient::sim {

/// True for the apiextensions.k8s.io/v1 customresourcedefinitions resource.
bool is_crd_resource(const resource_type& rt);

/// What one CustomResourceDefinition defines: a resource type per served version, or why the
/// API server refuses it (`error` non-empty; `code` 422 Invalid or 409 Conflict).
struct crd_definition {
  std::vector<resource_type> types;
  std::string error;
  int code = 0;
};

/// The resource types the CustomResourceDefinitions of one cluster define. Not thread-safe: the
/// store owns it and calls it under its lock. A type, once registered, keeps its address for the
/// registry's lifetime (watches and their events point at it), even after its CRD is gone.
class crd_registry {
public:
  /// Reads the spec of CRD `crd_name`: its name must be `<plural>.<group>`, and its names may not
  /// clash with a builtin resource or with another CRD of the same group.
  crd_definition read(const json& crd, const std::string& crd_name) const;

  /// Registers the types of CRD `crd_name` in place of the ones it had; returns the types it no
  /// longer serves (whose objects the store deletes).
  std::vector<const resource_type*> set(const std::string& crd_name,
                                        std::vector<resource_type> types);

  /// Unregisters CRD `crd_name`; returns the types it served.
  std::vector<const resource_type*> erase(const std::string& crd_name);

  /// Looks up a served CRD type; nullptr if none.
  const resource_type* find(std::string_view group, std::string_view version,
                            std::string_view resource) const;

  /// Every served CRD type, by CRD name.
  std::vector<const resource_type*> types() const;

private:
  std::deque<resource_type> owned_; ///< every type ever registered: stable addresses
  std::map<std::string, std::vector<const resource_type*>, std::less<>> by_crd_;
};

/// Sets the status the API server reports for an accepted CRD: the Established and NamesAccepted
/// conditions (true since `since`, an RFC 3339 time) and acceptedNames (spec.names, defaulted).
void set_crd_status(json& crd, const std::string& since);

} // namespace ambient::sim
