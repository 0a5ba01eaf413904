#pragma once

#include "kube/objects.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace ambient::mesh {

/// Why a mesh config or one of its selectors was refused. The message starts with the path of the
/// offending field (e.g. "discoverySelectors[0].matchExpressions[1].values").
struct config_error {
  std::string message;
  bool operator==(const config_error&) const = default;
};

/// The operator of a LabelSelectorRequirement (`matchExpressions[].operator`).
enum class selector_operator : uint8_t { in, not_in, exists, does_not_exist };

/// The operator spelled as the Kubernetes API spells it ("In", "NotIn", "Exists",
/// "DoesNotExist"), or nullopt for anything else (case matters, as in apimachinery).
std::optional<selector_operator> parse_selector_operator(std::string_view text);

/// The API spelling of `op`, the inverse of parse_selector_operator.
std::string_view to_string(selector_operator op);

/// One `matchExpressions` entry: a key, an operator and (for In and NotIn) a set of values.
struct label_requirement {
  std::string key;
  selector_operator op = selector_operator::exists;
  std::vector<std::string> values; ///< Sorted and unique once inside a label_selector.

  /// Whether `labels` satisfy this requirement, with apimachinery's semantics: In needs the key
  /// present with a listed value; NotIn holds when the key is absent or its value is not listed.
  bool matches(const kube::string_map& labels) const;

  bool operator==(const label_requirement&) const = default;
};

/// A Kubernetes LabelSelector: every `matchLabels` pair AND every `matchExpressions` requirement
/// must hold. The default (empty) selector matches everything, as apimachinery's
/// LabelSelectorAsSelector does. Only make() builds a non-empty one, so every selector is valid.
class label_selector {
public:
  /// The empty selector: matches every label set.
  label_selector() = default;

  /// Validates and builds a selector as apimachinery's NewRequirement would: keys are qualified
  /// names, values are label values, In/NotIn need at least one value, Exists/DoesNotExist none,
  /// matchLabels keys are unique. `path` (e.g. "discoverySelectors[0]") prefixes error messages.
  static std::variant<label_selector, config_error>
  make(kube::string_map match_labels, std::vector<label_requirement> match_expressions,
       std::string_view path);

  /// Whether `labels` (sorted by key, as kube::string_map is) satisfy the selector.
  bool matches(const kube::string_map& labels) const;

  /// True for a selector with neither labels nor expressions (it matches everything).
  bool empty() const {
    return match_labels_.empty() && match_expressions_.empty();
  }

  /// The `matchLabels` pairs, sorted by key.
  const kube::string_map& match_labels() const {
    return match_labels_;
  }

  /// The `matchExpressions` requirements, in the order given.
  const std::vector<label_requirement>& match_expressions() const {
    return match_expressions_;
  }

  bool operator==(const label_selector&) const = default;

private:
  kube::string_map match_labels_;
  std::vector<label_requirement> match_expressions_;
};

/// `text` in double quotes for an error message: printable ASCII only (anything else becomes
/// '?'), cut after 100 characters.
std::string quoted(std::string_view text);

/// An empty message when `key` is a valid label key (a qualified name with an optional DNS
/// subdomain prefix, as apimachinery's IsQualifiedName), else why it is not.
std::string label_key_problem(std::string_view key);

/// An empty message when `value` is a valid label value (empty, or at most 63 characters of
/// alphanumerics, '-', '_' and '.' that start and end alphanumeric), else why it is not.
std::string label_value_problem(std::string_view value);

} // namespace ambient::mesh
