#include "kube/security_readers.hpp"

#include "kube/timestamp.hpp"

namespace ambient::kube::json {

namespace {

constexpr std::string_view last_applied = "kubectl.kubernetes.io/last-applied-configuration";

} // namespace

bool read_selector(ctx& cx, od::value& v, const path& p, std::optional<string_map>& out) {
  const auto got = expect_type(cx, v, p, od::json_type::object, "object");
  if (got != presence::value)
    return got == presence::null;
  out.emplace();
  return each_field(cx, v, p, [&](std::string_view k, od::value& fv, const path& fp) {
    return k != "matchLabels" || read_map(cx, fv, fp, *out);
  });
}

bool read_security_meta(ctx& cx, od::value& v, const path& p, security_meta m) {
  return each_field(cx, v, p, [&](std::string_view k, od::value& fv, const path& fp) {
    if (k == "name")
      return read(cx, fv, fp, m.name);
    if (k == "namespace")
      return read(cx, fv, fp, m.namespace_);
    if (k == "labels")
      return read_map(cx, fv, fp, m.labels);
    if (k == "annotations" && m.annotations != nullptr)
      return read_map(cx, fv, fp, *m.annotations, last_applied);
    if (k != "creationTimestamp")
      return true;
    const auto got = expect_type(cx, fv, fp, od::json_type::string, "string");
    if (got != presence::value)
      return got == presence::null;
    std::string text;
    if (!read(cx, fv, fp, text))
      return false;
    auto seconds = parse_rfc3339_seconds(text);
    if (!seconds)
      return cx.fail(decode_errc::bad_field, fp, "expected an RFC 3339 timestamp");
    m.creation_seconds = *seconds;
    return true;
  });
}

} // namespace ambient::kube::json
