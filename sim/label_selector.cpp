#include "sim/label_selector.hpp"

#include <algorithm>
#include <charconv>
#include <cstdint>

namespace ambient::sim {

namespace {

// -- label names and values ---------------------------------------------------------------------

bool is_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

constexpr std::string_view name_rule
    = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
      "alphanumeric character";

/// Checks a label value or the name part of a key; returns what is wrong, empty when valid.
std::string check_name(std::string_view s) {
  if (s.size() > 63)
    return "must be no more than 63 characters";
  if (s.empty())
    return {};
  bool ok = is_alnum(s.front()) && is_alnum(s.back())
            && std::all_of(s.begin(), s.end(),
                           [](char c) { return is_alnum(c) || c == '-' || c == '_' || c == '.'; });
  return ok ? std::string{} : std::string{name_rule};
}

/// Checks a label key ("name" or "prefix/name"); returns what is wrong, empty when valid.
std::string check_key(std::string_view key) {
  auto name = key;
  if (auto slash = key.find('/'); slash != std::string_view::npos) {
    auto prefix = key.substr(0, slash);
    name = key.substr(slash + 1);
    bool ok = !prefix.empty() && prefix.size() <= 253 && is_alnum(prefix.front())
              && is_alnum(prefix.back()) && std::all_of(prefix.begin(), prefix.end(), [](char c) {
                   return (is_alnum(c) && !(c >= 'A' && c <= 'Z')) || c == '-' || c == '.';
                 });
    if (!ok)
      return "prefix part must be a lowercase DNS subdomain";
  }
  if (name.empty())
    return "name part must be non-empty";
  if (auto err = check_name(name); !err.empty())
    return "name part " + err;
  return {};
}

std::optional<int64_t> parse_int(std::string_view s) {
  int64_t n = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
  if (ec != std::errc{} || ptr != s.data() + s.size())
    return std::nullopt;
  return n;
}

// -- label selector lexer -----------------------------------------------------------------------

enum class tok {
  end,
  identifier,
  not_op,
  equals,
  double_equals,
  not_equals,
  greater,
  less,
  open,
  close,
  comma,
  in,
  not_in
};

struct token {
  tok kind = tok::end;
  std::string_view text;
};

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

bool is_special(char c) {
  return c == '!' || c == '=' || c == '(' || c == ')' || c == ',' || c == '<' || c == '>';
}

std::vector<token> lex(std::string_view s) {
  std::vector<token> out;
  size_t i = 0;
  while (true) {
    while (i < s.size() && is_space(s[i]))
      ++i;
    if (i >= s.size())
      break;
    auto two = s.substr(i, 2);
    auto push = [&](tok k, size_t n) {
      out.push_back({k, s.substr(i, n)});
      i += n;
    };
    if (two == "!=")
      push(tok::not_equals, 2);
    else if (two == "==")
      push(tok::double_equals, 2);
    else if (s[i] == '!')
      push(tok::not_op, 1);
    else if (s[i] == '=')
      push(tok::equals, 1);
    else if (s[i] == '>')
      push(tok::greater, 1);
    else if (s[i] == '<')
      push(tok::less, 1);
    else if (s[i] == '(')
      push(tok::open, 1);
    else if (s[i] == ')')
      push(tok::close, 1);
    else if (s[i] == ',')
      push(tok::comma, 1);
    else {
      size_t j = i;
      while (j < s.size() && !is_space(s[j]) && !is_special(s[j]))
        ++j;
      auto word = s.substr(i, j - i);
      push(word == "in" ? tok::in : word == "notin" ? tok::not_in : tok::identifier, j - i);
    }
  }
  out.push_back({tok::end, {}});
  return out;
}

// -- label selector parser ----------------------------------------------------------------------

using requirement = label_selector::requirement;
using op = label_selector::op;

/// A recursive-descent parser over the token list, after apimachinery's labels.Parser.
class label_parser {
public:
  explicit label_parser(std::string_view text) : tokens_(lex(text)) {}

  std::optional<std::vector<requirement>> parse() {
    std::vector<requirement> out;
    if (peek().kind == tok::end)
      return out;
    while (true) {
      auto r = parse_requirement();
      if (!r)
        return std::nullopt;
      out.push_back(std::move(*r));
      auto t = next();
      if (t.kind == tok::end)
        return out;
      if (t.kind != tok::comma)
        return fail(t, "',' or 'end of string'");
      if (auto k = peek().kind;
          k != tok::identifier && k != tok::not_op && k != tok::in && k != tok::not_in)
        return fail(peek(), "identifier after ','");
    }
  }

  std::string error;

private:
  const token& peek() const {
    return tokens_[pos_];
  }

  token next() {
    auto t = tokens_[pos_];
    if (t.kind != tok::end)
      ++pos_;
    return t;
  }

  /// Whether t can stand for a name or value; the keywords are plain words there.
  static bool is_word(const token& t) {
    return t.kind == tok::identifier || t.kind == tok::in || t.kind == tok::not_in;
  }

  std::nullopt_t fail(const token& found, std::string_view expected) {
    error = "found '" + std::string{found.text} + "', expected: " + std::string{expected};
    return std::nullopt;
  }

  std::nullopt_t invalid(std::string what) {
    error = std::move(what);
    return std::nullopt;
  }

  std::optional<requirement> parse_requirement() {
    requirement r;
    bool negated = false;
    if (peek().kind == tok::not_op) {
      next();
      negated = true;
    }
    auto key = next();
    if (!is_word(key))
      return fail(key, negated ? "identifier after '!'" : "identifier");
    r.key = std::string{key.text};
    if (auto err = check_key(r.key); !err.empty())
      return invalid("key: Invalid value: \"" + r.key + "\": " + err);
    if (negated) {
      r.operation = op::does_not_exist;
      return r;
    }
    if (peek().kind == tok::end || peek().kind == tok::comma) {
      r.operation = op::exists;
      return r;
    }
    auto o = next();
    switch (o.kind) {
      case tok::equals:
      case tok::double_equals:
        r.operation = op::equals;
        break;
      case tok::not_equals:
        r.operation = op::not_equals;
        break;
      case tok::greater:
        r.operation = op::greater_than;
        break;
      case tok::less:
        r.operation = op::less_than;
        break;
      case tok::in:
        r.operation = op::in;
        break;
      case tok::not_in:
        r.operation = op::not_in;
        break;
      default:
        return fail(o, "in, notin, =, ==, !=, gt, lt");
    }
    bool ok = r.operation == op::in || r.operation == op::not_in ? parse_set(r) : parse_exact(r);
    if (!ok)
      return std::nullopt;
    return validate(std::move(r));
  }

  bool parse_exact(requirement& r) {
    if (peek().kind == tok::end || peek().kind == tok::comma) {
      r.values.emplace_back();
      return true;
    }
    auto v = next();
    if (!is_word(v)) {
      fail(v, "identifier");
      return false;
    }
    r.values.emplace_back(v.text);
    return true;
  }

  /// "(a,b)"; like apimachinery, empty entries such as "(a,)" stand for the empty value.
  bool parse_set(requirement& r) {
    auto open = next();
    if (open.kind != tok::open) {
      fail(open, "'('");
      return false;
    }
    if (peek().kind == tok::close) {
      next();
      return true;
    }
    bool expect_value = true;
    while (true) {
      auto t = next();
      if (is_word(t) && expect_value) {
        r.values.emplace_back(t.text);
        expect_value = false;
      } else if (t.kind == tok::comma) {
        if (expect_value)
          r.values.emplace_back();
        expect_value = true;
      } else if (t.kind == tok::close) {
        if (expect_value)
          r.values.emplace_back();
        return true;
      } else {
        fail(t, expect_value ? "',', ')' or identifier" : "',' or ')'");
        return false;
      }
    }
  }

  std::optional<requirement> validate(requirement r) {
    if ((r.operation == op::in || r.operation == op::not_in) && r.values.empty())
      return invalid("for 'in', 'notin' operators, values set can't be empty");
    if (r.operation == op::greater_than || r.operation == op::less_than) {
      if (!parse_int(r.values.front()))
        return invalid("for 'Gt', 'Lt' operators, the value must be an integer");
      return r;
    }
    for (size_t i = 0; i < r.values.size(); ++i) {
      if (auto err = check_name(r.values[i]); !err.empty())
        return invalid("values[" + std::to_string(i) + "][" + r.key + "]: Invalid value: \""
                       + r.values[i] + "\": a valid label " + err);
    }
    std::sort(r.values.begin(), r.values.end());
    r.values.erase(std::unique(r.values.begin(), r.values.end()), r.values.end());
    return r;
  }

  std::vector<token> tokens_;
  size_t pos_ = 0;
};

bool contains(const std::vector<std::string>& values, std::string_view v) {
  return std::find(values.begin(), values.end(), v) != values.end();
}

// -- field selector -----------------------------------------------------------------------------

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front()))
    s.remove_prefix(1);
  while (!s.empty() && is_space(s.back()))
    s.remove_suffix(1);
  return s;
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

std::optional<label_selector> label_selector::parse(std::string_view text, std::string* error) {
  label_parser parser{text};
  auto requirements = parser.parse();
  if (!requirements) {
    set_error(error, "unable to parse requirement: " + parser.error);
    return std::nullopt;
  }
  label_selector out;
  out.requirements_ = std::move(*requirements);
  return out;
}

bool label_selector::matches(const label_map& labels) const {
  return std::all_of(requirements_.begin(), requirements_.end(), [&](const requirement& r) {
    auto i = labels.find(r.key);
    bool has = i != labels.end();
    switch (r.operation) {
      case op::equals:
      case op::in:
        return has && contains(r.values, i->second);
      case op::not_equals:
      case op::not_in:
        return !has || !contains(r.values, i->second);
      case op::exists:
        return has;
      case op::does_not_exist:
        return !has;
      case op::greater_than:
      case op::less_than: {
        if (!has)
          return false;
        auto actual = parse_int(i->second);
        auto bound = parse_int(r.values.front());
        if (!actual || !bound)
          return false;
        return r.operation == op::greater_than ? *actual > *bound : *actual < *bound;
      }
    }
    return false;
  });
}

bool label_selector::empty() const {
  return requirements_.empty();
}

const std::vector<label_selector::requirement>& label_selector::requirements() const {
  return requirements_;
}

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
