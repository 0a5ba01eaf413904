#include "kube/jwt_peek.hpp"

#include <cmath>

#include "base/base64.hpp"
#include "kube/json_reader.hpp"

namespace ambient::kube {

namespace {

using namespace json;

constexpr std::string_view what = "JWT";

decode_error fail(decode_errc code, const std::string& message) {
  return {code, std::string{what} + ": " + message};
}

/// Reads a NumericDate: an integer, or a number in the int64 range whose fraction is dropped.
bool read_numeric_date(ctx& cx, od::value& v, const path& p, std::optional<int64_t>& out) {
  if (auto got = expect_type(cx, v, p, od::json_type::number, "number"); got != presence::value)
    return got == presence::null;
  od::number_type t;
  if (auto e = v.get_number_type().get(t))
    return cx.json_error(e, p, "number");
  if (t == od::number_type::signed_integer) {
    int64_t n = 0;
    if (auto e = v.get_int64().get(n))
      return cx.json_error(e, p, "number");
    out = n;
    return true;
  }
  double d = 0;
  if (auto e = v.get_double().get(d))
    return cx.json_error(e, p, "number");
  // 2^63 as a double: anything at or past it (and anything not finite) does not fit an int64.
  if (!std::isfinite(d) || d >= 9223372036854775808.0 || d < -9223372036854775808.0)
    return cx.fail(decode_errc::bad_field, p, "number out of range");
  out = static_cast<int64_t>(std::floor(d));
  return true;
}

} // namespace

decoded<jwt_claims> peek_jwt_claims(std::string_view token) {
  if (token.size() > max_jwt_bytes)
    return fail(decode_errc::too_large, std::to_string(token.size()) + " bytes exceed the limit of "
                                            + std::to_string(max_jwt_bytes));
  size_t segments = 1;
  for (char c : token)
    segments += c == '.' ? 1 : 0;
  if (segments != 3)
    return fail(decode_errc::malformed_json,
                "expected 3 '.'-separated segments, got " + std::to_string(segments));
  const size_t first = token.find('.');
  const size_t second = token.find('.', first + 1);
  const std::string_view header = token.substr(0, first);
  const std::string_view payload = token.substr(first + 1, second - first - 1);
  if (header.empty() || payload.empty())
    return fail(decode_errc::malformed_json, "an empty header or payload segment");
  auto json_text = base::decode_base64url(payload);
  if (!json_text)
    return fail(decode_errc::malformed_json, "the payload is not base64url");
  jwt_claims out;
  ctx cx;
  with_document(cx, *json_text, [&](od::object& top, const path& root) {
    return fields_of(cx, top, root, [&](std::string_view k, od::value& v, const path& p) {
      if (k == "exp")
        return read_numeric_date(cx, v, p, out.exp);
      if (k == "sub")
        return read(cx, v, p, out.sub);
      return true;
    });
  });
  if (cx.failed)
    return json::make_error("JWT payload", {}, {}, *cx.failed);
  return out;
}

} // namespace ambient::kube
