#include "sim/json_patch.hpp"

#include <algorithm>
#include <string_view>
#include <vector>

namespace ambient::sim {

namespace {

using error = std::optional<std::string>;
/// Object keys from the patch root to the object being merged; a list element adds nothing, so a
/// container's path ends with "containers".
using key_path = std::vector<std::string_view>;

constexpr std::string_view delete_from_primitive_list = "$deleteFromPrimitiveList/";

bool is_directive(std::string_view key) {
  return key.starts_with('$');
}

/// The value of an element's "$patch" directive, empty when it has none.
std::string_view patch_strategy(const json& v) {
  const auto* p = find_path(v, {"$patch"});
  return p != nullptr && p->is_string() ? std::string_view{p->get_ref<const std::string&>()} : "";
}

/// Whether v is an object whose "$patch" is "delete": its key (or list element) goes away.
bool is_deletion(const json& v) {
  return patch_strategy(v) == "delete";
}

bool is_container_list(std::string_view field) {
  return field == "containers" || field == "initContainers" || field == "ephemeralContainers";
}

bool all_named(const json& list) {
  return std::all_of(list.begin(), list.end(), [](const json& e) {
    const auto* name = find_path(e, {"name"});
    return name != nullptr && !name->is_null();
  });
}

/// The key that identifies elements of list `field` under `parent`, or empty for a list that is
/// replaced whole.
std::string_view merge_key(std::string_view field, const key_path& parent, const json& target,
                           const json& patch) {
  if (is_container_list(field) || field == "volumes" || field == "env" || field == "volumeMounts")
    return "name";
  if (field == "ports") {
    if (!parent.empty() && is_container_list(parent.back()))
      return "containerPort";
    if (parent.size() == 1 && parent.front() == "spec")
      return "port";
  }
  return all_named(target) && all_named(patch) ? "name" : "";
}

/// What a patch value becomes where the target has nothing: directives and nulls dropped.
json strip_directives(const json& v) {
  if (v.is_object()) {
    auto out = json::object();
    for (auto it = v.begin(); it != v.end(); ++it)
      if (!is_directive(it.key()) && !it->is_null() && !is_deletion(*it))
        out[it.key()] = strip_directives(*it);
    return out;
  }
  if (v.is_array()) {
    auto out = json::array();
    for (const auto& e : v)
      if (patch_strategy(e).empty() || (!is_deletion(e) && e.size() > 1))
        out.push_back(strip_directives(e));
    return out;
  }
  return v;
}

/// Whether list element e carries `key` with the value id.
bool has_key(const json& e, std::string_view key, const json& id) {
  const auto* k = find_path(e, {key});
  return k != nullptr && same_json(*k, id);
}

error merge_object(json& target, const json& patch, key_path& path);

/// Merges patch list `patch` into target's list `field`; path ends with field.
error merge_list(json& target, const json& patch, key_path& path) {
  bool replace = std::any_of(patch.begin(), patch.end(), [](const json& e) {
    return patch_strategy(e) == "replace" && e.size() == 1;
  });
  auto key = replace || !target.is_array()
                 ? std::string_view{}
                 : merge_key(path.back(), {path.begin(), path.end() - 1}, target, patch);
  if (key.empty()) {
    target = strip_directives(patch);
    return std::nullopt;
  }
  for (const auto& element : patch) {
    const auto* id = find_path(element, {key});
    if (id == nullptr) {
      if (patch_strategy(element).empty())
        target.push_back(strip_directives(element));
      continue;
    }
    auto same_id = [&](const json& e) {
      return has_key(e, key, *id);
    };
    auto existing = std::find_if(target.begin(), target.end(), same_id);
    if (is_deletion(element))
      target.erase(std::remove_if(target.begin(), target.end(), same_id), target.end());
    else if (existing == target.end())
      target.push_back(strip_directives(element));
    else if (patch_strategy(element) == "replace")
      *existing = strip_directives(element);
    else if (auto err = merge_object(*existing, element, path))
      return err;
  }
  return std::nullopt;
}

error delete_primitives(json& target, std::string_view field, const json& values) {
  if (!values.is_array())
    return "$deleteFromPrimitiveList/" + std::string{field} + " must be a list";
  auto* list = find_path(target, {field});
  if (list == nullptr || !list->is_array())
    return std::nullopt;
  auto doomed = [&](const json& e) {
    return std::any_of(values.begin(), values.end(),
                       [&](const json& v) { return same_json(e, v); });
  };
  list->erase(std::remove_if(list->begin(), list->end(), doomed), list->end());
  return std::nullopt;
}

error merge_object(json& target, const json& patch, key_path& path) {
  if (const auto* directive = find_path(patch, {"$patch"})) {
    auto strategy = patch_strategy(patch);
    if (strategy == "replace" || strategy == "delete") {
      target = strategy == "replace" ? strip_directives(patch) : json::object();
      return std::nullopt;
    }
    if (strategy != "merge")
      return "unknown patch type: " + dump_json(*directive);
  }
  if (!target.is_object())
    target = json::object();
  for (auto it = patch.begin(); it != patch.end(); ++it) {
    const auto& key = it.key();
    if (is_directive(key))
      continue;
    if (it->is_null() || is_deletion(*it)) {
      target.erase(key);
      continue;
    }
    path.push_back(key);
    error err;
    if (it->is_object())
      err = merge_object(target[key], *it, path);
    else if (it->is_array())
      err = merge_list(target[key], *it, path);
    else
      target[key] = *it;
    path.pop_back();
    if (err)
      return err;
  }
  for (auto it = patch.begin(); it != patch.end(); ++it) {
    if (std::string_view key = it.key(); key.starts_with(delete_from_primitive_list))
      if (auto err = delete_primitives(target, key.substr(delete_from_primitive_list.size()), *it))
        return err;
  }
  return std::nullopt;
}

} // namespace

std::optional<std::string> apply_strategic_merge_patch(json& target, const json& patch) {
  if (!patch.is_object())
    return std::string{"strategic merge patch must be a JSON object"};
  key_path path;
  return merge_object(target, patch, path);
}

} // namespace ambient::sim
