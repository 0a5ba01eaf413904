#include "kube/token_review.hpp"

#include <algorithm>

#include "base/json_writer.hpp"
#include "kube/json_reader.hpp"

namespace ambient::kube {

namespace {

using namespace json;

constexpr std::string_view pod_name_key = "authentication.kubernetes.io/pod-name";
constexpr std::string_view pod_uid_key = "authentication.kubernetes.io/pod-uid";
constexpr size_t max_quoted = 256; ///< how much of the server's status.error a message repeats

/// What the checks need of a response.
struct review_status {
  bool has_status = false;
  bool authenticated = false;
  std::string error, username;
  std::vector<std::string> groups;
  std::string pod_name, pod_uid;
};

/// Reads the first string of an extra's value (an array of strings); later ones are checked for
/// type but not kept.
bool read_first(ctx& cx, od::value& v, const path& p, std::string& out) {
  bool first = true;
  return each_element(cx, v, p, [&](od::value& ev, const path& ep) {
    std::string s;
    if (!read(cx, ev, ep, s))
      return false;
    if (first)
      out = std::move(s);
    first = false;
    return true;
  });
}

bool read_user(ctx& cx, od::value& v, const path& p, review_status& st) {
  return each_field(cx, v, p, [&](std::string_view k, od::value& fv, const path& fp) {
    if (k == "username")
      return read(cx, fv, fp, st.username);
    if (k == "groups")
      return read_strings(cx, fv, fp, st.groups);
    if (k != "extra")
      return true;
    return each_field(cx, fv, fp, [&](std::string_view ek, od::value& ev, const path&) {
      if (ek == pod_name_key)
        return read_first(cx, ev, fp.at_key(ek), st.pod_name);
      if (ek == pod_uid_key)
        return read_first(cx, ev, fp.at_key(ek), st.pod_uid);
      return true;
    });
  });
}

bool read_status(ctx& cx, od::value& v, const path& p, review_status& st) {
  if (auto got = expect_type(cx, v, p, od::json_type::object, "object"); got != presence::value)
    return got == presence::null;
  st.has_status = true;
  return each_field(cx, v, p, [&](std::string_view k, od::value& fv, const path& fp) {
    if (k == "authenticated")
      return read(cx, fv, fp, st.authenticated);
    if (k == "error")
      return read(cx, fv, fp, st.error);
    if (k == "user")
      return read_user(cx, fv, fp, st);
    return true; // audiences: not checked, as in istiod
  });
}

review_failure bad(std::string message) {
  return {review_errc::bad_response, "TokenReview response: " + std::move(message)};
}

/// `s` cut to max_quoted bytes, control characters as '?', for a log line.
std::string printable(std::string_view s) {
  std::string out{s.substr(0, max_quoted)};
  for (auto& c : out)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
      c = '?';
  if (s.size() > max_quoted)
    out += "...";
  return out;
}

/// istiod's checks (k8sauthn.go, then kube_jwt.go's empty namespace and service account), in order.
review_result check(const review_status& st) {
  if (!st.error.empty())
    return review_failure{review_errc::review_error,
                          "the API server refused the token: " + printable(st.error)};
  if (!st.authenticated)
    return review_failure{review_errc::not_authenticated, "the token is not authenticated"};
  if (std::find(st.groups.begin(), st.groups.end(), service_accounts_group) == st.groups.end())
    return review_failure{review_errc::not_service_account,
                          "the token is not a service account's (no group "
                              + std::string{service_accounts_group} + ")"};
  std::vector<std::string_view> parts;
  std::string_view rest = st.username;
  while (true) {
    const size_t at = rest.find(':');
    parts.push_back(rest.substr(0, at));
    if (at == std::string_view::npos)
      break;
    rest.remove_prefix(at + 1);
  }
  if (parts.size() != 4)
    return review_failure{review_errc::bad_username,
                          "status.user.username has " + std::to_string(parts.size())
                              + " ':'-separated parts, expected 4"
                                " (system:serviceaccount:<namespace>:<name>)"};
  if (parts[2].empty())
    return review_failure{review_errc::bad_username, "status.user.username has no namespace"};
  if (parts[3].empty())
    return review_failure{review_errc::bad_username, "status.user.username has no service account"};
  return token_identity{std::string{parts[2]}, std::string{parts[3]}, st.pod_name, st.pod_uid};
}

} // namespace

bool is_verdict(review_errc code) {
  return code != review_errc::bad_response && code != review_errc::review_failed;
}

std::string token_review_body(std::string_view token, const std::vector<std::string>& audiences) {
  base::json_writer w;
  w.begin_object()
      .member("apiVersion", "authentication.k8s.io/v1")
      .member("kind", "TokenReview")
      .key("spec")
      .begin_object()
      .member("token", token);
  if (!audiences.empty()) {
    w.key("audiences").begin_array();
    for (const auto& a : audiences)
      w.value(a);
    w.end_array();
  }
  w.end_object().end_object();
  return w.take();
}

review_result parse_token_review(std::string_view response_json) {
  if (response_json.size() > max_token_review_bytes)
    return bad(std::to_string(response_json.size()) + " bytes exceed the limit of "
               + std::to_string(max_token_review_bytes));
  review_status st;
  std::string kind;
  ctx cx;
  with_document(cx, response_json, [&](od::object& top, const path& root) {
    return fields_of(cx, top, root, [&](std::string_view k, od::value& v, const path& p) {
      if (k == "kind")
        return read(cx, v, p, kind);
      if (k == "status")
        return read_status(cx, v, p, st);
      return true;
    });
  });
  if (cx.failed) {
    const auto& f = *cx.failed;
    return bad(f.where.empty() ? f.what : f.where + ": " + f.what);
  }
  if (!kind.empty() && kind != "TokenReview")
    return bad("kind is \"" + printable(kind.substr(0, 64)) + "\", expected TokenReview");
  if (!st.has_status)
    return bad("status: missing");
  return check(st);
}

} // namespace ambient::kube
