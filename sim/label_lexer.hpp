#pragma once

#include <string_view>
#include <vector>

namespace ambient::sim {

/// The kind of one token of a label selector.
enum class label_token_kind {
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

/// One token of a label selector: its kind and the text it covers.
struct label_token {
  label_token_kind kind = label_token_kind::end;
  std::string_view text;
};

/// Whether `c` is white space between selector terms (as Go's unicode.IsSpace for ASCII).
bool is_selector_space(char c);

/// Splits a label selector into tokens, after apimachinery's labels.Lexer; the last token is
/// always `end`. The tokens point into `text`.
std::vector<label_token> lex_label_selector(std::string_view text);

} // namespace ambient::sim
