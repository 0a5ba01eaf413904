#include "sim/label_parser.hpp"

#include "base/decimal.hpp"

#include <algorithm>
#include <cstdint>
#include <utility>

#include "sim/label_lexer.hpp"
#include "sim/label_names.hpp"

namespace ambient::sim {

namespace {

using tok = label_token_kind;
using token = label_token;
using requirement = label_selector::requirement;
using op = label_selector::op;

/// The operator each operator token stands for; nullopt for a token that is none.
std::optional<op> operator_of(tok kind) {
  static constexpr std::pair<tok, op> operators[] = {
      {tok::equals, op::equals},         {tok::double_equals, op::equals},
      {tok::not_equals, op::not_equals}, {tok::greater, op::greater_than},
      {tok::less, op::less_than},        {tok::in, op::in},
      {tok::not_in, op::not_in},
  };
  for (auto [t, o] : operators)
    if (t == kind)
      return o;
  return std::nullopt;
}

/// A recursive-descent parser over the token list, after apimachinery's labels.Parser.
class label_parser {
public:
  explicit label_parser(std::string_view text) : tokens_(lex_label_selector(text)) {}

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
    if (auto err = check_label_key(r.key); !err.empty())
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
    auto operation = operator_of(o.kind);
    if (!operation)
      return fail(o, "in, notin, =, ==, !=, gt, lt");
    r.operation = *operation;
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
      if (!base::parse_decimal<int64_t>(r.values.front()))
        return invalid("for 'Gt', 'Lt' operators, the value must be an integer");
      return r;
    }
    for (size_t i = 0; i < r.values.size(); ++i) {
      if (auto err = check_label_name(r.values[i]); !err.empty())
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

} // namespace

std::optional<std::vector<label_selector::requirement>>
parse_label_requirements(std::string_view text, std::string& error) {
  label_parser parser{text};
  auto requirements = parser.parse();
  if (!requirements)
    error = std::move(parser.error);
  return requirements;
}

} // namespace ambient::sim
