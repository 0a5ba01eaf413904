#pragma once

#include <string>
#include <string_view>

#include "kube/objects.hpp"

/// What the client knows of each resource kind, from one table (kube/kind_table.cpp).
namespace ambient::kube {

/// Lower-case plural name, for logs, metric labels and paths ("endpointslices").
std::string_view to_string(resource_kind k);

/// The API's kind name ("EndpointSlice").
std::string_view kind_name(resource_kind k);

/// The collection path of a resource, e.g. "/api/v1/pods", or "/api/v1/namespaces/<ns>/pods"
/// when `namespace_` is not empty (cluster-scoped resources ignore it).
std::string collection_path(resource_kind k, std::string_view namespace_ = {});

/// The path of one object: collection_path(k, namespace_) + "/" + name.
std::string object_path(resource_kind k, std::string_view namespace_, std::string_view name);

/// The metadata of any decoded object.
const object_meta& meta_of(const any_object& o);

} // namespace ambient::kube
