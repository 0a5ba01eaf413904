#pragma once

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace ambient::sim {

/// kube-sim's mutable JSON document: nlohmann's JSON with object members in insertion order, so
/// that an object reads back in the order a client wrote it. Integers are int64 or uint64, other
/// numbers double.
using json = nlohmann::ordered_json;

/// Parses JSON text without throwing. Arrays and objects may nest at most 256 deep, which bounds
/// the recursion of dumping, comparing and patching untrusted documents. On failure returns nullopt
/// and sets *error (when not null) to "invalid JSON: " and the reason, with line and column.
std::optional<json> parse_json(std::string_view text, std::string* error);

/// Compact JSON text of v; a string that is not valid UTF-8 is written with U+FFFD in place of the
/// bad bytes rather than throwing. For one escaped string literal: dump_json(json(s)).
std::string dump_json(const json& v);

/// Follows object keys from v; nullptr if any step is missing or not an object.
const json* find_path(const json& v, std::initializer_list<std::string_view> path);

/// Follows object keys from v; nullptr if any step is missing or not an object.
json* find_path(json& v, std::initializer_list<std::string_view> path);

/// Deep equality in which the order of object members does not matter (nlohmann's == on ordered
/// objects compares member order too). Numbers compare by value.
bool same_json(const json& lhs, const json& rhs);

} // namespace ambient::sim
