#pragma once

#include <optional>
#include <string>

#include "sim/json.hpp"

namespace ambient::sim {

/// Kubernetes strategic merge patch, good enough for kubectl label/annotate/apply: like an RFC 7386
/// merge patch (json::merge_patch), but lists of objects that carry a merge key are merged
/// element-wise by that key ("name" for containers, initContainers, ephemeralContainers, volumes,
/// env and volumeMounts; "containerPort" for a container's ports; "port" for a service's
/// spec.ports; otherwise "name" when every element of both lists is an object with a name; else the
/// list is replaced). Honours "$patch": "delete" in list elements and "$patch": "replace" /
/// "delete" on objects, applies "$deleteFromPrimitiveList/<field>", and ignores
/// "$setElementOrder/<field>", "$retainKeys" and other directives. Returns an error message for a
/// patch that is not an object or carries an unknown "$patch" value; target may be partly patched
/// then, so callers patch a copy.
std::optional<std::string> apply_strategic_merge_patch(json& target, const json& patch);

} // namespace ambient::sim
