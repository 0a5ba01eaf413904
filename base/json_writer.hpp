#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

/// JSON output, one copy for the whole project: string escaping and a writer that places the
/// punctuation, so no caller builds JSON by concatenating strings.
namespace ambient::base {

/// Escapes a string for inclusion inside a JSON string literal (RFC 8259: quote, backslash and
/// the control characters; everything else, UTF-8 included, is kept as it is).
std::string json_escape(std::string_view in);

/// A JSON string literal of `in`: quoted and escaped.
std::string json_string(std::string_view in);

/// Writes one JSON document front to back. It puts the commas, colons and quotes; the caller
/// names the structure. Writing a value where a key is due (or the reverse) is a programming
/// error and trips an assertion.
class json_writer {
public:
  json_writer& begin_object() {
    return open('{', true);
  }
  json_writer& end_object() {
    return close('}', true);
  }
  json_writer& begin_array() {
    return open('[', false);
  }
  json_writer& end_array() {
    return close(']', false);
  }
  /// The next member's name (inside an object).
  json_writer& key(std::string_view name);

  json_writer& value(std::string_view s);
  json_writer& value(const char* s) {
    return value(std::string_view{s});
  }
  json_writer& value(const std::string& s) {
    return value(std::string_view{s});
  }
  json_writer& value(bool b);
  json_writer& value(int64_t n);
  json_writer& value(uint64_t n);
  json_writer& value(int n) {
    return value(static_cast<int64_t>(n));
  }
  json_writer& value(unsigned n) {
    return value(static_cast<uint64_t>(n));
  }
  json_writer& value(long long n) {
    return value(static_cast<int64_t>(n));
  }
  json_writer& value(unsigned long long n) {
    return value(static_cast<uint64_t>(n));
  }
  /// A finite number as the shortest text that reads back the same; NaN and infinities, which
  /// JSON cannot hold, as null.
  json_writer& value(double d);

  /// null.
  json_writer& value(std::nullptr_t);

  /// `key(name)` then `value(v)`.
  template <class T>
  json_writer& member(std::string_view name, const T& v) {
    return key(name).value(v);
  }

  /// A member `name` holding an object of string members (labels, annotations, selectors).
  template <class Map>
  json_writer& string_map(std::string_view name, const Map& m) {
    key(name).begin_object();
    for (const auto& [k, v] : m)
      member(k, v);
    return end_object();
  }

  /// The document so far (complete once every begin has its end).
  const std::string& str() const {
    return out_;
  }
  /// Takes the document out of the writer.
  std::string take() {
    return std::move(out_);
  }

private:
  void before_value();
  json_writer& open(char bracket, bool object);
  json_writer& close(char bracket, bool object);

  std::string out_;
  /// Per open object or array: true while nothing has been written in it.
  std::vector<bool> empty_;
  std::vector<bool> is_object_;
  bool after_key_ = false;
};

} // namespace ambient::base
