#include "sim/json.hpp"

#include <algorithm>
#include <utility>

namespace ambient::sim {

namespace {

/// The deepest nesting of arrays and objects parse_json accepts (simdjson's default limit, which
/// kube-sim used before).
constexpr size_t max_depth = 256;

/// How deep arrays and objects nest in text, counting brackets outside strings; exact for valid
/// JSON, and invalid JSON fails to parse anyway.
size_t nesting_depth(std::string_view text) {
  size_t depth = 0;
  size_t deepest = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_string) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      deepest = std::max(deepest, ++depth);
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return deepest;
}

/// A SAX handler that builds nothing and keeps nlohmann's message for the first syntax error.
struct error_recorder : nlohmann::json_sax<json> {
  std::string message;

  bool null() override {
    return true;
  }
  bool boolean(bool) override {
    return true;
  }
  bool number_integer(number_integer_t) override {
    return true;
  }
  bool number_unsigned(number_unsigned_t) override {
    return true;
  }
  bool number_float(number_float_t, const string_t&) override {
    return true;
  }
  bool string(string_t&) override {
    return true;
  }
  bool binary(binary_t&) override {
    return true;
  }
  bool start_object(std::size_t) override {
    return true;
  }
  bool key(string_t&) override {
    return true;
  }
  bool end_object() override {
    return true;
  }
  bool start_array(std::size_t) override {
    return true;
  }
  bool end_array() override {
    return true;
  }
  bool parse_error(std::size_t, const std::string&, const json::exception& ex) override {
    // Drop the "[json.exception.parse_error.101] " tag: the rest names line, column and reason.
    std::string_view what = ex.what();
    auto tag_end = what.find("] ");
    message = tag_end == std::string_view::npos ? what : what.substr(tag_end + 2);
    return false;
  }
};

} // namespace

std::optional<json> parse_json(std::string_view text, std::string* error) {
  auto fail = [error](std::string why) -> std::optional<json> {
    if (error != nullptr)
      *error = "invalid JSON: " + why;
    return std::nullopt;
  };
  if (nesting_depth(text) > max_depth)
    return fail("the document is too deep (arrays and objects nest more than "
                + std::to_string(max_depth) + " levels)");
  auto doc = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!doc.is_discarded())
    return doc;
  error_recorder recorder;
  json::sax_parse(text, &recorder);
  return fail(recorder.message.empty() ? "syntax error" : recorder.message);
}

std::string dump_json(const json& v) {
  return v.dump(-1, ' ', false, json::error_handler_t::replace);
}

const json* find_path(const json& v, std::initializer_list<std::string_view> path) {
  const json* cur = &v;
  for (auto key : path) {
    if (!cur->is_object())
      return nullptr;
    auto it = cur->find(key);
    if (it == cur->end())
      return nullptr;
    cur = &*it;
  }
  return cur;
}

json* find_path(json& v, std::initializer_list<std::string_view> path) {
  return const_cast<json*>(find_path(std::as_const(v), path));
}

bool same_json(const json& lhs, const json& rhs) {
  if (lhs.is_object() && rhs.is_object()) {
    if (lhs.size() != rhs.size())
      return false;
    for (auto it = lhs.begin(); it != lhs.end(); ++it) {
      auto other = rhs.find(it.key());
      if (other == rhs.end() || !same_json(*it, *other))
        return false;
    }
    return true;
  }
  if (lhs.is_array() && rhs.is_array())
    return std::equal(lhs.begin(), lhs.end(), rhs.begin(), rhs.end(), same_json);
  return lhs == rhs;
}

} // namespace ambient::sim
