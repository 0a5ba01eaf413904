#pragma once

#include <simdjson.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ambient::cmd {

/// Reads the fields of one element of a JSON array ambientd answered; records the first problem
/// with the element's index, so a malformed body is refused with a message naming the field.
class element_reader {
public:
  element_reader(simdjson::dom::object obj, size_t index) : obj_(obj), index_(index) {
    // nop
  }

  /// A string field; a missing or null optional field reads as "".
  std::string text(std::string_view key, bool required);

  /// An optional number; a missing or null field reads as nullopt.
  std::optional<double> number(std::string_view key);

  /// An optional boolean; a missing or null field reads as false.
  bool flag(std::string_view key);

  /// An optional array of strings; a missing or null field reads as empty.
  std::vector<std::string> strings(std::string_view key);

  /// An optional array of strings, joined with commas.
  std::string joined(std::string_view key);

  /// Whether the field is present and not null.
  bool has(std::string_view key);

  /// An optional string field `key` of an optional object field `object`; "" when either is
  /// missing.
  std::string nested_text(std::string_view object, std::string_view key);

  /// An optional GatewayAddress object as ambientd writes it ({namespace, hostname} or
  /// {network, address}): "namespace/hostname", or the address; missing or null reads as "".
  std::string gateway_address(std::string_view key);

  /// The first problem met, or nullopt.
  const std::optional<std::string>& error() const {
    return error_;
  }

private:
  bool lookup(std::string_view key, bool required, simdjson::dom::element& value);
  void fail(std::string_view key, std::string_view what);

  simdjson::dom::object obj_;
  size_t index_;
  std::optional<std::string> error_;
};

/// Parses `json` as an array (with `member`, an object whose member `member` is the array) and
/// calls `row(reader)` for each element, which must be an object. Returns an error message, or
/// nullopt when every element was read.
template <class RowFn>
std::optional<std::string> for_each_element(std::string_view json, RowFn&& row,
                                            std::string_view member = {}) {
  namespace dom = simdjson::dom;
  dom::parser parser;
  simdjson::padded_string padded{json};
  dom::element root;
  if (auto err = parser.parse(padded).get(root))
    return std::string{"body is not valid JSON: "} + simdjson::error_message(err);
  if (!member.empty()) {
    dom::object top;
    if (root.get(top) != simdjson::SUCCESS)
      return std::string{"body is not a JSON object"};
    if (top.at_key(member).get(root) != simdjson::SUCCESS)
      return "body has no \"" + std::string{member} + "\"";
  }
  dom::array items;
  if (root.get(items) != simdjson::SUCCESS)
    return member.empty() ? std::string{"body is not a JSON array"}
                          : "\"" + std::string{member} + "\" is not a JSON array";
  size_t index = 0;
  for (dom::element item : items) {
    dom::object obj;
    if (item.get(obj) != simdjson::SUCCESS)
      return "element " + std::to_string(index) + " is not a JSON object";
    element_reader reader{obj, index};
    row(reader);
    if (reader.error())
      return *reader.error();
    ++index;
  }
  return std::nullopt;
}

} // namespace ambient::cmd
