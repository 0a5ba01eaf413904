#pragma once

#include <optional>
#include <string>
#include <string_view>

/// Percent-encoding (RFC 3986), the one copy for the project: the informer's query strings, the
/// admin server's and kube-sim's request targets.
namespace ambient::base {

/// Appends `s` to `out` with every byte but the unreserved characters (ALPHA, DIGIT, "-", ".",
/// "_", "~") written as %XX.
void percent_encode(std::string& out, std::string_view s);

/// Decodes %XX escapes ('+' is a space when `plus_is_space`, as in a form-encoded query);
/// nullopt on a broken escape (a '%' without two hex digits).
std::optional<std::string> percent_decode(std::string_view in, bool plus_is_space);

} // namespace ambient::base
