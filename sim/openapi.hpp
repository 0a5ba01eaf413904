#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "sim/discovery.hpp"

namespace ambient::sim {

/// The `/openapi/v3` root document: one entry per group version the cluster serves
/// (`"api/v1"`, `"apis/<group>/<version>"`), each naming the URL of its document with a hash of
/// that document, so a client's HTTP cache never serves one from before a CRD changed.
std::string openapi_root_json(const served_types& types);

/// The `/openapi/v3/api/v1` or `/openapi/v3/apis/<group>/<version>` document: the paths of every
/// resource of that group version with their operations, each tagged with
/// `x-kubernetes-group-version-kind` and `x-kubernetes-action`, the write operations taking the
/// `dryRun`, `fieldManager` and `fieldValidation` query parameters. This is what kubectl reads to
/// choose server-side field validation; no schemas (`components.schemas` is empty). nullopt when
/// the cluster serves no resource in that group version.
std::optional<std::string> openapi_group_version_json(const served_types& types,
                                                      std::string_view group,
                                                      std::string_view version);

/// Routes a path under `/openapi/v3` given as its parts after "v3" (`{}`, `{"api","v1"}`,
/// `{"apis","<group>","<version>"}`); nullopt for any other path (404).
std::optional<std::string> openapi_v3_document(const served_types& types,
                                               const std::vector<std::string_view>& parts);

} // namespace ambient::sim
