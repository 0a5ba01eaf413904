#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ambient::sim {

/// Labels of one object, searchable by string_view.
using label_map = std::map<std::string, std::string, std::less<>>;

/// A Kubernetes label selector (the `labelSelector` query parameter): requirements joined by AND.
class label_selector {
public:
  /// The operator of one requirement.
  enum class op { equals, not_equals, in, not_in, exists, does_not_exist, greater_than, less_than };

  /// One requirement: key, operator and the values it compares with (none for exists).
  struct requirement {
    std::string key;
    op operation = op::exists;
    std::vector<std::string> values;
  };

  /// Parses "a=b,c!=d,e in (f,g),h notin (i),j,!k" (also "==", and "l>1", "m<2" on integers);
  /// empty text matches everything. Returns nullopt and sets *error (when not null) to a message
  /// like the apiserver's ("unable to parse requirement: ...") on bad syntax or invalid names.
  static std::optional<label_selector> parse(std::string_view text, std::string* error);

  /// Whether labels satisfy every requirement.
  bool matches(const label_map& labels) const;

  /// Whether there are no requirements (everything matches).
  bool empty() const;

  /// The parsed requirements in text order.
  const std::vector<requirement>& requirements() const;

private:
  std::vector<requirement> requirements_;
};

} // namespace ambient::sim
