#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sim/resources.hpp"

namespace ambient::sim {

/// The `/version` document of kube-sim (a v1.32 API server).
std::string version_json();

/// The `/api` document (APIVersions: v1) naming the address clients reach the server at.
std::string api_versions_json(const std::string& server_address);

/// The resources a cluster serves (store::served_types): the builtin ones and its CRDs' ones.
using served_types = std::vector<const resource_type*>;

/// The `/apis` document: every group the cluster serves, with its versions.
std::string api_group_list_json(const served_types& types);

/// The `/apis/<group>` document (APIGroup); nullopt when the cluster does not serve the group.
std::optional<std::string> api_group_json(const served_types& types, std::string_view group);

/// The APIResourceList of a group version (`/api/v1`, `/apis/<group>/<version>`); nullopt when
/// the cluster serves no resource in it.
std::optional<std::string> resource_list_json(const served_types& types, std::string_view group,
                                              std::string_view version);

} // namespace ambient::sim
