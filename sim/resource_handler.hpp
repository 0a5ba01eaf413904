#pragma once

#include <map>
#include <string>

#include "sim/api_handler.hpp"

namespace ambient::sim {

/// Handles a request on a resource path once its resource, namespace and name are known: list
/// (with selectors, paging and the resource version rules) or the start of a watch, get, create,
/// update, patch and delete against the store. `query` is the decoded query string.
api_outcome handle_resource_request(store& s, const api_request& req, const resource_type& rt,
                                    const std::string& ns, const std::string& name,
                                    const std::map<std::string, std::string>& query);

} // namespace ambient::sim
