#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ambient::sim {

/// A Kubernetes field selector (the `fieldSelector` query parameter): equality terms joined by AND.
class field_selector {
public:
  /// One term: field name, expected value and whether it must differ instead.
  struct term {
    std::string field;
    std::string value;
    bool negated = false;
  };

  /// Parses "metadata.name=x,metadata.namespace!=y" (=, ==, !=; "\," "\=" "\\" escape in values).
  /// Fields other than metadata.name, metadata.namespace and those in `supported` are an error
  /// ("field label not supported: spec.nodeName"). Returns nullopt and sets *error (when not null).
  static std::optional<field_selector>
  parse(std::string_view text, const std::vector<std::string>& supported, std::string* error);

  /// Whether one object satisfies every term; field_value gives the object's value of a field.
  bool matches(const std::function<std::string_view(std::string_view field)>& field_value) const;

  /// Whether there are no terms (everything matches).
  bool empty() const;

  /// The parsed terms in text order.
  const std::vector<term>& terms() const;

private:
  std::vector<term> terms_;
};

} // namespace ambient::sim
