#include "sim/token_review.hpp"

#include <algorithm>

#include "sim/json.hpp"
#include "sim/request_body.hpp"
#include "sim/resources.hpp"

namespace ambient::sim {

namespace {

/// Why the object `name` of `resource` in `ns` is not the one with `uid` any more, or "".
std::string gone(const store& s, const char* resource, const std::string& ns,
                 const std::string& name, const std::string& uid) {
  const auto* rt = find_resource("", "v1", resource);
  auto found = s.get(*rt, ns, name);
  if (found.error)
    return rt->singular + " \"" + name + "\" bound to the token no longer exists";
  if (found.object->uid != uid)
    return rt->singular + " \"" + name + "\" bound to the token has UID " + found.object->uid
           + " now, not " + uid;
  return "";
}

/// The TokenReview's `status` for `r`.
json status_of(const token_review_result& r) {
  json status = json::object();
  if (!r.authenticated) {
    status["authenticated"] = false;
    status["user"] = json::object();
    status["error"] = "invalid bearer token, " + r.error;
    return status;
  }
  const auto& c = *r.claims;
  json user = json::object();
  user["username"] = c.subject();
  user["uid"] = c.service_account_uid;
  user["groups"] = json::array(
      {"system:serviceaccounts", "system:serviceaccounts:" + c.namespace_, "system:authenticated"});
  if (!c.pod_name.empty()) {
    json extra = json::object();
    extra["authentication.kubernetes.io/pod-name"] = json::array({c.pod_name});
    extra["authentication.kubernetes.io/pod-uid"] = json::array({c.pod_uid});
    user["extra"] = std::move(extra);
  }
  status["authenticated"] = true;
  status["user"] = std::move(user);
  status["audiences"] = r.audiences;
  return status;
}

api_response bad(std::string message) {
  return error_response(bad_request(std::move(message)));
}

} // namespace

token_review_result review_token(const store& s, const token_signer& signer, std::string_view token,
                                 const std::vector<std::string>& audiences,
                                 std::chrono::system_clock::time_point now) {
  token_review_result out;
  auto verdict = signer.verify(token, now);
  if (!verdict.claims) {
    out.error = verdict.reason;
    return out;
  }
  const auto& c = *verdict.claims;
  std::vector<std::string> wanted = audiences;
  if (wanted.empty())
    wanted.emplace_back(default_token_issuer);
  for (const auto& a : c.audiences)
    if (std::find(wanted.begin(), wanted.end(), a) != wanted.end()
        && std::find(out.audiences.begin(), out.audiences.end(), a) == out.audiences.end())
      out.audiences.push_back(a);
  if (out.audiences.empty()) {
    out.error = "token audiences do not include any of the requested audiences";
    return out;
  }
  out.error = gone(s, "serviceaccounts", c.namespace_, c.service_account, c.service_account_uid);
  if (out.error.empty() && !c.pod_name.empty())
    out.error = gone(s, "pods", c.namespace_, c.pod_name, c.pod_uid);
  if (!out.error.empty()) {
    out.audiences.clear();
    return out;
  }
  out.authenticated = true;
  out.claims = std::move(verdict.claims);
  return out;
}

api_response handle_token_review(const store& s, const token_signer& signer, const api_request& req,
                                 std::chrono::system_clock::time_point now) {
  api_error why;
  auto body = parse_request_body(req, &why);
  if (!body)
    return error_response(why);
  if (!body->is_object())
    return bad("TokenReview body is not a JSON object");
  const auto* token = find_path(*body, {"spec", "token"});
  if (token == nullptr || !token->is_string() || token->get<std::string>().empty())
    return bad("token is required for TokenReview in authentication (spec.token)");
  std::vector<std::string> audiences;
  if (const auto* aud = find_path(*body, {"spec", "audiences"}); aud && !aud->is_null()) {
    if (!aud->is_array())
      return bad("TokenReview spec.audiences is not a list of strings");
    for (const auto& a : *aud) {
      if (!a.is_string())
        return bad("TokenReview spec.audiences is not a list of strings");
      audiences.push_back(a.get<std::string>());
    }
  }
  auto result = review_token(s, signer, token->get<std::string>(), audiences, now);
  json out = json::object();
  out["kind"] = "TokenReview";
  out["apiVersion"] = "authentication.k8s.io/v1";
  out["metadata"] = json{{"creationTimestamp", nullptr}};
  out["spec"] = (*body)["spec"];
  out["status"] = status_of(result);
  return {201, dump_json(out), "application/json"};
}

} // namespace ambient::sim
