#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace ambient::sim {

/// The `/version` document of kube-sim (a v1.32 API server).
std::string version_json();

/// The `/api` document (APIVersions: v1) naming the address clients reach the server at.
std::string api_versions_json(const std::string& server_address);

/// The `/apis` document: every group kube-sim serves, with its versions.
std::string api_group_list_json();

/// The `/apis/<group>` document (APIGroup); nullopt when kube-sim does not serve the group.
std::optional<std::string> api_group_json(std::string_view group);

/// The APIResourceList of a group version (`/api/v1`, `/apis/<group>/<version>`); nullopt when
/// kube-sim serves no resource in it.
std::optional<std::string> resource_list_json(std::string_view group, std::string_view version);

} // namespace ambient::sim
