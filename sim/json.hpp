#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ambient::sim {

/// A small mutable JSON document for kube-sim: objects keep insertion order, numbers keep their
/// text so that what a client sent is what it reads back.
class json_value {
public:
  /// The JSON type of a value.
  enum class kind { null, boolean, number, string, array, object };

  /// One object member: key and value.
  using member = std::pair<std::string, json_value>;

  /// Makes a null.
  json_value();

  /// Makes true or false.
  static json_value boolean(bool b);

  /// Makes an integer number.
  static json_value number(int64_t n);

  /// Makes a number from its JSON text, kept exactly (e.g. "1.5e3"); the text must be a JSON
  /// number.
  static json_value raw_number(std::string text);

  /// Makes a string (UTF-8).
  static json_value string(std::string s);

  /// Makes an empty array.
  static json_value array();

  /// Makes an empty object.
  static json_value object();

  /// The JSON type of this value.
  kind type() const;

  /// Whether this value is null.
  bool is_null() const;

  /// Whether this value is an object.
  bool is_object() const;

  /// Whether this value is an array.
  bool is_array() const;

  /// Whether this value is a string.
  bool is_string() const;

  /// Whether this value is true or false.
  bool is_bool() const;

  /// Whether this value is a number.
  bool is_number() const;

  /// The string; precondition is_string().
  const std::string& as_string() const;

  /// The boolean; precondition is_bool().
  bool as_bool() const;

  /// The number as an integer; nullopt when not a number, not integral or out of int64 range.
  std::optional<int64_t> as_int() const;

  /// The number's JSON text; precondition is_number().
  const std::string& number_text() const;

  /// The member named key; nullptr if absent or this is not an object.
  json_value* find(std::string_view key);

  /// The member named key; nullptr if absent or this is not an object.
  const json_value* find(std::string_view key) const;

  /// The member named key, inserted as null if absent; a null *this becomes an empty object first.
  /// Precondition: is_null() or is_object().
  json_value& operator[](std::string_view key);

  /// Sets the member key to v, replacing an existing member in place or appending a new one; a null
  /// *this becomes an empty object first. Precondition: is_null() or is_object().
  void set(std::string_view key, json_value v);

  /// Removes the member key; false when absent or this is not an object.
  bool erase(std::string_view key);

  /// The members in insertion order; precondition is_object().
  const std::vector<member>& members() const;

  /// The members in insertion order; precondition is_object(). Callers keep keys unique.
  std::vector<member>& members();

  /// The elements; precondition is_array().
  const std::vector<json_value>& elements() const;

  /// The elements; precondition is_array().
  std::vector<json_value>& elements();

  /// Appends an element; a null *this becomes an empty array first. Precondition: is_null() or
  /// is_array().
  void push_back(json_value v);

  /// Follows object keys from this value; nullptr if any step is missing or not an object.
  const json_value* find_path(std::initializer_list<std::string_view> path) const;

  /// Follows object keys from this value; nullptr if any step is missing or not an object.
  json_value* find_path(std::initializer_list<std::string_view> path);

  /// Compact JSON text.
  std::string dump() const;

  /// Appends compact JSON text to out.
  void dump_to(std::string& out) const;

  /// Deep equality: numbers compare by text, arrays by order, objects by key set regardless of
  /// order.
  friend bool operator==(const json_value& lhs, const json_value& rhs);

private:
  kind kind_ = kind::null;
  bool bool_ = false;
  std::string text_; // string value or number text
  std::vector<json_value> elements_;
  std::vector<member> members_;
};

/// Parses JSON text; on failure returns nullopt and sets *error (when not null) to a message with
/// simdjson's error string.
std::optional<json_value> parse_json(std::string_view text, std::string* error);

/// Escapes s as the body of a JSON string (without quotes) and appends to out.
void append_json_escaped(std::string& out, std::string_view s);

/// Whether text is a number by the JSON grammar (RFC 8259), with no surrounding whitespace.
bool is_json_number(std::string_view text);

} // namespace ambient::sim
