#include "sim/json_patch.hpp"

#include <algorithm>
#include <string_view>
#include <vector>

namespace ambient::sim {

void apply_merge_patch(json_value& target, const json_value& patch) {
  if (!patch.is_object()) {
    target = patch;
    return;
  }
  if (!target.is_object())
    target = json_value::object();
  for (const auto& [key, value] : patch.members()) {
    if (value.is_null())
      target.erase(key);
    else
      apply_merge_patch(target[key], value);
  }
}

namespace {

using error = std::optional<std::string>;
/// Object keys from the patch root to the object being merged; a list element adds nothing, so a
/// container's path ends with "containers".
using key_path = std::vector<std::string_view>;

constexpr std::string_view patch_directive = "$patch";
constexpr std::string_view delete_from_primitive_list = "$deleteFromPrimitiveList/";

bool is_directive(std::string_view key) {
  return !key.empty() && key.front() == '$';
}

/// The value of an element's "$patch" directive, empty when it has none.
std::string_view patch_strategy(const json_value& v) {
  if (const auto* p = v.find(patch_directive); p != nullptr && p->is_string())
    return p->as_string();
  return {};
}

bool is_container_list(std::string_view field) {
  return field == "containers" || field == "initContainers" || field == "ephemeralContainers";
}

bool all_named(const std::vector<json_value>& elements) {
  return std::all_of(elements.begin(), elements.end(), [](const json_value& e) {
    const auto* name = e.find("name");
    return name != nullptr && !name->is_null();
  });
}

/// The key that identifies elements of list `field`, or empty for a list that is replaced whole.
std::string_view merge_key(std::string_view field, const key_path& path, const json_value& target,
                           const json_value& patch) {
  if (is_container_list(field) || field == "volumes" || field == "env" || field == "volumeMounts")
    return "name";
  if (field == "ports") {
    if (!path.empty() && is_container_list(path.back()))
      return "containerPort";
    if (path.size() == 1 && path.front() == "spec")
      return "port";
  }
  if (all_named(target.elements()) && all_named(patch.elements()))
    return "name";
  return {};
}

/// What a patch value becomes where the target has nothing: directives and nulls dropped.
json_value strip_directives(const json_value& v) {
  if (v.is_object()) {
    auto out = json_value::object();
    for (const auto& [key, value] : v.members()) {
      if (is_directive(key) || value.is_null()
          || (value.is_object() && patch_strategy(value) == "delete"))
        continue;
      out.members().emplace_back(key, strip_directives(value));
    }
    return out;
  }
  if (v.is_array()) {
    auto out = json_value::array();
    for (const auto& e : v.elements()) {
      if (e.is_object() && !patch_strategy(e).empty()
          && (patch_strategy(e) == "delete" || e.members().size() == 1))
        continue;
      out.push_back(strip_directives(e));
    }
    return out;
  }
  return v;
}

error merge_object(json_value& target, const json_value& patch, key_path& path);

json_value* find_by_key(json_value& list, std::string_view key, const json_value& value) {
  for (auto& e : list.elements()) {
    if (const auto* k = e.find(key); k != nullptr && *k == value)
      return &e;
  }
  return nullptr;
}

void erase_by_key(json_value& list, std::string_view key, const json_value& value) {
  auto& elements = list.elements();
  elements.erase(std::remove_if(elements.begin(), elements.end(),
                                [&](const json_value& e) {
                                  const auto* k = e.find(key);
                                  return k != nullptr && *k == value;
                                }),
                 elements.end());
}

/// Merges patch list `patch` into target's list `field`; path ends with field.
error merge_list(json_value& target, const json_value& patch, key_path& path) {
  const auto& patch_elements = patch.elements();
  bool replace = std::any_of(patch_elements.begin(), patch_elements.end(), [](const auto& e) {
    return patch_strategy(e) == "replace" && e.members().size() == 1;
  });
  if (replace || !target.is_array()) {
    target = strip_directives(patch);
    return std::nullopt;
  }
  auto key = merge_key(path.back(), key_path{path.begin(), path.end() - 1}, target, patch);
  if (key.empty()) {
    target = strip_directives(patch);
    return std::nullopt;
  }
  for (const auto& element : patch_elements) {
    const auto* id = element.find(key);
    if (id == nullptr) {
      if (!element.is_object() || patch_strategy(element).empty())
        target.push_back(strip_directives(element));
      continue;
    }
    auto strategy = patch_strategy(element);
    auto* existing = find_by_key(target, key, *id);
    if (strategy == "delete") {
      erase_by_key(target, key, *id);
    } else if (strategy == "replace" || existing == nullptr) {
      if (existing != nullptr)
        *existing = strip_directives(element);
      else
        target.push_back(strip_directives(element));
    } else if (auto err = merge_object(*existing, element, path)) {
      return err;
    }
  }
  return std::nullopt;
}

error delete_primitives(json_value& target, std::string_view field, const json_value& values) {
  if (!values.is_array())
    return "$deleteFromPrimitiveList/" + std::string{field} + " must be a list";
  auto* list = target.find(field);
  if (list == nullptr || !list->is_array())
    return std::nullopt;
  auto& elements = list->elements();
  const auto& doomed = values.elements();
  elements.erase(std::remove_if(elements.begin(), elements.end(),
                                [&](const json_value& e) {
                                  return std::find(doomed.begin(), doomed.end(), e) != doomed.end();
                                }),
                 elements.end());
  return std::nullopt;
}

error merge_object(json_value& target, const json_value& patch, key_path& path) {
  if (const auto* directive = patch.find(patch_directive)) {
    auto strategy = directive->is_string() ? std::string_view{directive->as_string()} : "";
    if (strategy == "replace") {
      target = strip_directives(patch);
      return std::nullopt;
    }
    if (strategy == "delete") {
      target = json_value::object();
      return std::nullopt;
    }
    if (strategy != "merge")
      return "unknown patch type: " + directive->dump();
  }
  if (!target.is_object())
    target = json_value::object();
  for (const auto& [key, value] : patch.members()) {
    if (is_directive(key))
      continue;
    if (value.is_null() || (value.is_object() && patch_strategy(value) == "delete")) {
      target.erase(key);
      continue;
    }
    error err;
    path.push_back(key);
    if (value.is_object())
      err = merge_object(target[key], value, path);
    else if (value.is_array())
      err = merge_list(target[key], value, path);
    else
      target.set(key, value);
    path.pop_back();
    if (err)
      return err;
  }
  for (const auto& [key, value] : patch.members()) {
    if (std::string_view{key}.starts_with(delete_from_primitive_list)) {
      auto field = std::string_view{key}.substr(delete_from_primitive_list.size());
      if (auto err = delete_primitives(target, field, value))
        return err;
    }
  }
  return std::nullopt;
}

} // namespace

std::optional<std::string> apply_strategic_merge_patch(json_value& target,
                                                       const json_value& patch) {
  if (!patch.is_object())
    return std::string{"strategic merge patch must be a JSON object"};
  key_path path;
  return merge_object(target, patch, path);
}

} // namespace ambient::sim
