#pragma once

#include <initializer_list>
#include <map>
#include <string>
#include <string_view>

#include "bench/harness/processes.hpp"
#include "sim/json.hpp"

/// The independent oracle's only way to read a cluster: a LIST through the API server, parsed by
/// kube-sim's JSON reader (no kube/ decoder).
namespace ambient::bench {

/// The items of a LIST of `path` from `cluster` (a JSON array). When `absent_ok`, a kind the API
/// server does not serve (404: its CRD is absent) lists nothing. Throws std::runtime_error when
/// the LIST fails or is not a list.
sim::json list_items(sim_process& sim, const std::string& cluster, const std::string& path,
                     bool absent_ok = false);

/// The string at `path` in `v`, or "" when it is absent or not a string.
std::string text_at(const sim::json& v, std::initializer_list<std::string_view> path);

/// The object at `path` in `v` as key → string (a value that is not a string reads as ""), or an
/// empty map when it is absent or not an object: labels, annotations, matchLabels.
std::map<std::string, std::string> strings_at(const sim::json& v,
                                              std::initializer_list<std::string_view> path);

} // namespace ambient::bench
