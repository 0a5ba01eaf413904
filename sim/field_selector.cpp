#include "sim/field_selector.hpp"

#include "base/trim.hpp"

#include <algorithm>

#include "sim/label_lexer.hpp"

namespace ambient::sim {

namespace {

std::string_view trim(std::string_view s) {
  return base::trim_if(s, is_selector_space);
}

/// Splits on commas that are not escaped by a backslash.
std::vector<std::string_view> split_terms(std::string_view s) {
  std::vector<std::string_view> out;
  size_t start = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\') {
      ++i;
    } else if (s[i] == ',') {
      out.push_back(s.substr(start, i - start));
      start = i + 1;
    }
  }
  out.push_back(s.substr(start));
  return out;
}

/// Undoes "\\", "\," and "\="; nullopt for another escape or an unescaped ',' or '='.
std::optional<std::string> unescape(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '\\') {
      if (i + 1 >= s.size() || (s[i + 1] != '\\' && s[i + 1] != ',' && s[i + 1] != '='))
        return std::nullopt;
      out += s[++i];
    } else if (c == ',' || c == '=') {
      return std::nullopt;
    } else {
      out += c;
    }
  }
  return out;
}

void set_error(std::string* error, std::string message) {
  if (error != nullptr)
    *error = std::move(message);
}

} // namespace

std::optional<field_selector> field_selector::parse(std::string_view text,
                                                    const std::vector<std::string>& supported,
                                                    std::string* error) {
  field_selector out;
  for (auto part : split_terms(text)) {
    if (trim(part).empty())
      continue;
    size_t at = std::string_view::npos;
    size_t len = 0;
    for (size_t i = 0; i < part.size() && at == std::string_view::npos; ++i) {
      if (part.substr(i, 2) == "!=" || part.substr(i, 2) == "==") {
        at = i;
        len = 2;
      } else if (part[i] == '=') {
        at = i;
        len = 1;
      }
    }
    if (at == std::string_view::npos) {
      set_error(error, "invalid selector: '" + std::string{text} + "'; can't understand '"
                           + std::string{part} + "'");
      return std::nullopt;
    }
    term t;
    t.field = std::string{trim(part.substr(0, at))};
    t.negated = part[at] == '!';
    auto value = unescape(trim(part.substr(at + len)));
    if (!value) {
      set_error(error, "invalid field selector: invalid value in '" + std::string{part} + "'");
      return std::nullopt;
    }
    t.value = std::move(*value);
    if (t.field != "metadata.name" && t.field != "metadata.namespace"
        && std::find(supported.begin(), supported.end(), t.field) == supported.end()) {
      set_error(error, "field label not supported: " + t.field);
      return std::nullopt;
    }
    out.terms_.push_back(std::move(t));
  }
  return out;
}

bool field_selector::matches(
    const std::function<std::string_view(std::string_view field)>& field_value) const {
  return std::all_of(terms_.begin(), terms_.end(),
                     [&](const term& t) { return (field_value(t.field) == t.value) != t.negated; });
}

bool field_selector::empty() const {
  return terms_.empty();
}

const std::vector<field_selector::term>& field_selector::terms() const {
  return terms_;
}

} // namespace ambient::sim
