#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace ambient::sim {

/// A minimal compact JSON writer for the objects kube-sim generates: it tracks where commas go,
/// nothing else (the caller keeps objects and arrays balanced).
class json_writer {
public:
  /// Opens an object (a value, or the document).
  json_writer& begin_object();
  /// Closes the innermost object.
  json_writer& end_object();
  /// Opens an array (a value).
  json_writer& begin_array();
  /// Closes the innermost array.
  json_writer& end_array();
  /// Writes a member name; the next value is its value.
  json_writer& key(std::string_view k);
  /// Writes a string value, escaped.
  json_writer& value(std::string_view v);
  /// Writes a string value, escaped.
  json_writer& value(const char* v);
  /// Writes a string value, escaped.
  json_writer& value(const std::string& v);
  /// Writes an integer value.
  json_writer& value(long long v);
  /// Writes an integer value.
  json_writer& value(int v);
  /// Writes true or false.
  json_writer& value(bool v);
  /// Writes null.
  json_writer& null();

  /// key(k).value(v) in one step.
  template <class T>
  json_writer& kv(std::string_view k, const T& v) {
    return key(k).value(v);
  }

  /// A member `k` holding an object of string members (labels, annotations, selectors).
  json_writer& string_map(std::string_view k, const std::map<std::string, std::string>& m);

  /// The text written so far; the writer is spent.
  std::string take();

private:
  json_writer& open(char bracket);
  json_writer& close(char bracket);
  void comma();
  void value_prefix();

  std::string out_;
  std::vector<bool> first_;
  bool after_key_ = false;
};

} // namespace ambient::sim
