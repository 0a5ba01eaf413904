#include "sim/label_lexer.hpp"

#include <algorithm>
#include <iterator>
#include <utility>

namespace ambient::sim {

namespace {

using tok = label_token_kind;

/// The operator and punctuation tokens, two-character ones first: "!=" is not "!" then "=".
constexpr std::pair<std::string_view, tok> symbols[] = {
    {"!=", tok::not_equals}, {"==", tok::double_equals}, {"!", tok::not_op},
    {"=", tok::equals},      {">", tok::greater},        {"<", tok::less},
    {"(", tok::open},        {")", tok::close},          {",", tok::comma},
};

/// Whether `c` ends a word: it starts an operator or punctuation token.
bool is_special(char c) {
  for (auto [text, kind] : symbols)
    if (text.front() == c)
      return true;
  return false;
}

} // namespace

bool is_selector_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

std::vector<label_token> lex_label_selector(std::string_view s) {
  std::vector<label_token> out;
  size_t i = 0;
  while (true) {
    while (i < s.size() && is_selector_space(s[i]))
      ++i;
    if (i >= s.size())
      break;
    auto symbol = std::find_if(std::begin(symbols), std::end(symbols),
                               [&](const auto& sym) { return s.substr(i).starts_with(sym.first); });
    size_t n = 0;
    tok kind = tok::identifier;
    if (symbol != std::end(symbols)) {
      n = symbol->first.size();
      kind = symbol->second;
    } else {
      while (i + n < s.size() && !is_selector_space(s[i + n]) && !is_special(s[i + n]))
        ++n;
      auto word = s.substr(i, n);
      kind = word == "in" ? tok::in : word == "notin" ? tok::not_in : tok::identifier;
    }
    out.push_back({kind, s.substr(i, n)});
    i += n;
  }
  out.push_back({tok::end, {}});
  return out;
}

} // namespace ambient::sim
