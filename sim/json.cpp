#include "sim/json.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <unordered_map>

#include <simdjson.h>

namespace ambient::sim {

namespace {

/// A broken precondition is a programming error: crash loudly.
[[noreturn]] void precondition_failed(const char* what) {
  std::fprintf(stderr, "ambient::sim::json_value: precondition failed: %s\n", what);
  std::abort();
}

void require(bool ok, const char* what) {
  if (!ok)
    precondition_failed(what);
}

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

bool is_json_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

} // namespace

bool is_json_number(std::string_view text) {
  size_t i = 0;
  const size_t n = text.size();
  if (i < n && text[i] == '-')
    ++i;
  if (i >= n)
    return false;
  if (text[i] == '0') {
    ++i;
  } else if (is_digit(text[i])) {
    while (i < n && is_digit(text[i]))
      ++i;
  } else {
    return false;
  }
  if (i < n && text[i] == '.') {
    ++i;
    if (i >= n || !is_digit(text[i]))
      return false;
    while (i < n && is_digit(text[i]))
      ++i;
  }
  if (i < n && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    if (i < n && (text[i] == '+' || text[i] == '-'))
      ++i;
    if (i >= n || !is_digit(text[i]))
      return false;
    while (i < n && is_digit(text[i]))
      ++i;
  }
  return i == n;
}

json_value::json_value() = default;

json_value json_value::boolean(bool b) {
  json_value v;
  v.kind_ = kind::boolean;
  v.bool_ = b;
  return v;
}

json_value json_value::number(int64_t n) {
  json_value v;
  v.kind_ = kind::number;
  v.text_ = std::to_string(n);
  return v;
}

json_value json_value::raw_number(std::string text) {
  require(is_json_number(text), "raw_number needs JSON number text");
  json_value v;
  v.kind_ = kind::number;
  v.text_ = std::move(text);
  return v;
}

json_value json_value::string(std::string s) {
  json_value v;
  v.kind_ = kind::string;
  v.text_ = std::move(s);
  return v;
}

json_value json_value::array() {
  json_value v;
  v.kind_ = kind::array;
  return v;
}

json_value json_value::object() {
  json_value v;
  v.kind_ = kind::object;
  return v;
}

json_value::kind json_value::type() const {
  return kind_;
}

bool json_value::is_null() const {
  return kind_ == kind::null;
}

bool json_value::is_object() const {
  return kind_ == kind::object;
}

bool json_value::is_array() const {
  return kind_ == kind::array;
}

bool json_value::is_string() const {
  return kind_ == kind::string;
}

bool json_value::is_bool() const {
  return kind_ == kind::boolean;
}

bool json_value::is_number() const {
  return kind_ == kind::number;
}

const std::string& json_value::as_string() const {
  require(is_string(), "as_string on a non-string");
  return text_;
}

bool json_value::as_bool() const {
  require(is_bool(), "as_bool on a non-boolean");
  return bool_;
}

std::optional<int64_t> json_value::as_int() const {
  if (!is_number())
    return std::nullopt;
  const char* first = text_.data();
  const char* last = first + text_.size();
  if (text_.find_first_of(".eE") == std::string::npos) {
    int64_t n = 0;
    auto [ptr, ec] = std::from_chars(first, last, n);
    if (ec != std::errc{} || ptr != last)
      return std::nullopt;
    return n;
  }
  // "2.0" or "1e3": an integer written as a float, accepted when exactly representable.
  double d = 0;
  auto [ptr, ec] = std::from_chars(first, last, d);
  if (ec != std::errc{} || ptr != last || !std::isfinite(d) || std::trunc(d) != d)
    return std::nullopt;
  constexpr double limit = 9007199254740992.0; // 2^53
  if (d > limit || d < -limit)
    return std::nullopt;
  return static_cast<int64_t>(d);
}

const std::string& json_value::number_text() const {
  require(is_number(), "number_text on a non-number");
  return text_;
}

json_value* json_value::find(std::string_view key) {
  if (!is_object())
    return nullptr;
  for (auto& [k, v] : members_)
    if (k == key)
      return &v;
  return nullptr;
}

const json_value* json_value::find(std::string_view key) const {
  return const_cast<json_value*>(this)->find(key);
}

json_value& json_value::operator[](std::string_view key) {
  if (is_null())
    kind_ = kind::object;
  require(is_object(), "operator[] on a non-object");
  if (auto* v = find(key))
    return *v;
  members_.emplace_back(std::string{key}, json_value{});
  return members_.back().second;
}

void json_value::set(std::string_view key, json_value v) {
  (*this)[key] = std::move(v);
}

bool json_value::erase(std::string_view key) {
  if (!is_object())
    return false;
  for (auto i = members_.begin(); i != members_.end(); ++i) {
    if (i->first == key) {
      members_.erase(i);
      return true;
    }
  }
  return false;
}

const std::vector<json_value::member>& json_value::members() const {
  require(is_object(), "members on a non-object");
  return members_;
}

std::vector<json_value::member>& json_value::members() {
  require(is_object(), "members on a non-object");
  return members_;
}

const std::vector<json_value>& json_value::elements() const {
  require(is_array(), "elements on a non-array");
  return elements_;
}

std::vector<json_value>& json_value::elements() {
  require(is_array(), "elements on a non-array");
  return elements_;
}

void json_value::push_back(json_value v) {
  if (is_null())
    kind_ = kind::array;
  require(is_array(), "push_back on a non-array");
  elements_.push_back(std::move(v));
}

const json_value* json_value::find_path(std::initializer_list<std::string_view> path) const {
  const json_value* cur = this;
  for (auto key : path) {
    cur = cur->find(key);
    if (cur == nullptr)
      return nullptr;
  }
  return cur;
}

json_value* json_value::find_path(std::initializer_list<std::string_view> path) {
  return const_cast<json_value*>(std::as_const(*this).find_path(path));
}

std::string json_value::dump() const {
  std::string out;
  dump_to(out);
  return out;
}

void json_value::dump_to(std::string& out) const {
  switch (kind_) {
    case kind::null:
      out += "null";
      break;
    case kind::boolean:
      out += bool_ ? "true" : "false";
      break;
    case kind::number:
      out += text_;
      break;
    case kind::string:
      out += '"';
      append_json_escaped(out, text_);
      out += '"';
      break;
    case kind::array: {
      out += '[';
      bool first = true;
      for (const auto& e : elements_) {
        if (!first)
          out += ',';
        first = false;
        e.dump_to(out);
      }
      out += ']';
      break;
    }
    case kind::object: {
      out += '{';
      bool first = true;
      for (const auto& [k, v] : members_) {
        if (!first)
          out += ',';
        first = false;
        out += '"';
        append_json_escaped(out, k);
        out += "\":";
        v.dump_to(out);
      }
      out += '}';
      break;
    }
  }
}

bool operator==(const json_value& lhs, const json_value& rhs) {
  if (lhs.kind_ != rhs.kind_)
    return false;
  switch (lhs.kind_) {
    case json_value::kind::null:
      return true;
    case json_value::kind::boolean:
      return lhs.bool_ == rhs.bool_;
    case json_value::kind::number:
    case json_value::kind::string:
      return lhs.text_ == rhs.text_;
    case json_value::kind::array:
      return lhs.elements_ == rhs.elements_;
    case json_value::kind::object:
      if (lhs.members_.size() != rhs.members_.size())
        return false;
      for (const auto& [k, v] : lhs.members_) {
        const auto* other = rhs.find(k);
        if (other == nullptr || !(v == *other))
          return false;
      }
      return true;
  }
  return false;
}

void append_json_escaped(std::string& out, std::string_view s) {
  static constexpr char hex[] = "0123456789abcdef";
  size_t run = 0; // start of the pending run of bytes that need no escaping
  for (size_t i = 0; i < s.size(); ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\')
      continue;
    out.append(s.data() + run, i - run);
    run = i + 1;
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      default:
        out += "\\u00";
        out += hex[c >> 4];
        out += hex[c & 0xf];
    }
  }
  out.append(s.data() + run, s.size() - run);
}

// -- parsing ------------------------------------------------------------------------------------

namespace {

namespace od = simdjson::ondemand;

/// Objects with more members than this detect duplicate keys through a hash index.
constexpr size_t linear_key_scan_limit = 16;

/// Converts on-demand values into json_value, enforcing the parser's depth limit and the number
/// grammar (on-demand leaves number tokens unparsed; we keep their text).
class converter {
public:
  explicit converter(size_t max_depth) : max_depth_(max_depth) {}

  simdjson::error_code value(od::value v, json_value& out, size_t depth) {
    od::json_type t{};
    if (auto err = v.type().get(t))
      return err;
    // Like simdjson's DOM parser, a container may nest at most max_depth - 1 deep; on-demand must
    // not start a non-empty one deeper.
    if ((t == od::json_type::array || t == od::json_type::object) && depth + 1 >= max_depth_)
      return simdjson::DEPTH_ERROR;
    switch (t) {
      case od::json_type::array: {
        od::array arr;
        if (auto err = v.get_array().get(arr))
          return err;
        return array(arr, out, depth + 1);
      }
      case od::json_type::object: {
        od::object obj;
        if (auto err = v.get_object().get(obj))
          return err;
        return object(obj, out, depth + 1);
      }
      case od::json_type::number:
        return number(v.raw_json_token(), out);
      default:
        return scalar(v, t, out);
    }
  }

  simdjson::error_code document(od::document& doc, json_value& out, const char* end) {
    od::json_type t{};
    if (auto err = doc.type().get(t))
      return err;
    if (t == od::json_type::array || t == od::json_type::object) {
      simdjson::error_code err;
      if (t == od::json_type::array) {
        od::array arr;
        err = doc.get_array().get(arr);
        if (!err)
          err = array(arr, out, 1);
      } else {
        od::object obj;
        err = doc.get_object().get(obj);
        if (!err)
          err = object(obj, out, 1);
      }
      if (err)
        return err;
      // Anything but whitespace after the root container is trailing content.
      const char* loc = nullptr;
      if (doc.current_location().get(loc) != simdjson::OUT_OF_BOUNDS)
        return simdjson::TAPE_ERROR;
      return simdjson::SUCCESS;
    }
    std::string_view token;
    if (auto err = doc.raw_json_token().get(token))
      return err;
    // The token includes the whitespace after it; it must reach the end of the input.
    if (token.data() + token.size() != end)
      return simdjson::TAPE_ERROR;
    if (t == od::json_type::number)
      return number(token, out);
    return scalar(doc, t, out);
  }

private:
  template <class Value>
  simdjson::error_code scalar(Value& v, od::json_type t, json_value& out) {
    switch (t) {
      case od::json_type::string: {
        std::string_view s;
        if (auto err = v.get_string().get(s))
          return err;
        out = json_value::string(std::string{s});
        return simdjson::SUCCESS;
      }
      case od::json_type::boolean: {
        bool b = false;
        if (auto err = v.get_bool().get(b))
          return err;
        out = json_value::boolean(b);
        return simdjson::SUCCESS;
      }
      case od::json_type::null: {
        bool null = false;
        if (auto err = v.is_null().get(null))
          return err;
        if (!null)
          return simdjson::N_ATOM_ERROR;
        out = json_value{};
        return simdjson::SUCCESS;
      }
      default:
        return simdjson::TAPE_ERROR;
    }
  }

  static simdjson::error_code number(std::string_view token, json_value& out) {
    while (!token.empty() && is_json_space(token.back()))
      token.remove_suffix(1);
    if (!is_json_number(token))
      return simdjson::NUMBER_ERROR;
    out = json_value::raw_number(std::string{token});
    return simdjson::SUCCESS;
  }

  simdjson::error_code array(od::array& arr, json_value& out, size_t depth) {
    out = json_value::array();
    auto& elements = out.elements();
    for (auto child : arr) {
      od::value v;
      if (auto err = child.get(v))
        return err;
      json_value element;
      if (auto err = value(v, element, depth))
        return err;
      elements.push_back(std::move(element));
    }
    return simdjson::SUCCESS;
  }

  simdjson::error_code object(od::object& obj, json_value& out, size_t depth) {
    out = json_value::object();
    auto& members = out.members();
    std::unordered_map<std::string, size_t> index; // only for large objects
    for (auto field : obj) {
      std::string_view key_view;
      if (auto err = field.unescaped_key().get(key_view))
        return err;
      std::string key{key_view};
      od::value v;
      if (auto err = field.value().get(v))
        return err;
      json_value member;
      if (auto err = value(v, member, depth))
        return err;
      // Duplicate keys: the last one wins, at the position of the first.
      if (auto* existing = find_member(members, index, key)) {
        *existing = std::move(member);
        continue;
      }
      if (!index.empty())
        index.emplace(key, members.size());
      members.emplace_back(std::move(key), std::move(member));
    }
    return simdjson::SUCCESS;
  }

  static json_value* find_member(std::vector<json_value::member>& members,
                                 std::unordered_map<std::string, size_t>& index,
                                 const std::string& key) {
    if (members.size() < linear_key_scan_limit) {
      for (auto& [k, v] : members)
        if (k == key)
          return &v;
      return nullptr;
    }
    if (index.empty())
      for (size_t i = 0; i < members.size(); ++i)
        index.emplace(members[i].first, i);
    auto i = index.find(key);
    return i == index.end() ? nullptr : &members[i->second].second;
  }

  size_t max_depth_;
};

} // namespace

std::optional<json_value> parse_json(std::string_view text, std::string* error) {
  auto fail = [error](simdjson::error_code err) -> std::optional<json_value> {
    if (error != nullptr)
      *error = std::string{"invalid JSON: "} + simdjson::error_message(err);
    return std::nullopt;
  };
  simdjson::padded_string padded{text};
  thread_local od::parser parser;
  od::document doc;
  if (auto err = parser.iterate(padded).get(doc))
    return fail(err);
  json_value out;
  converter conv{parser.max_depth()};
  if (auto err = conv.document(doc, out, padded.data() + padded.size()))
    return fail(err);
  return out;
}

} // namespace ambient::sim
