#include "sim/token_request.hpp"

#include "sim/json.hpp"
#include "sim/object_metadata.hpp"
#include "sim/request_body.hpp"
#include "sim/resources.hpp"

namespace ambient::sim {

namespace {

constexpr int64_t default_expiration_seconds = 3600;
constexpr int64_t min_expiration_seconds = 600;
constexpr int64_t max_expiration_seconds = int64_t{1} << 32;

const resource_type& token_requests() {
  static const resource_type rt{
      "authentication.k8s.io", "v1", "tokenrequests", "tokenrequest", "TokenRequest", true, {}, {}};
  return rt;
}

api_response fail(const api_error& e) {
  return error_response(e);
}

api_response invalid(const std::string& sa, const std::string& message) {
  return fail(invalid_object(token_requests(), sa, message));
}

/// The pod's service account: spec.serviceAccountName, "default" when unset.
std::string pod_service_account(const std::string& pod_json) {
  auto pod = parse_json(pod_json, nullptr);
  const auto* name = pod ? find_path(*pod, {"spec", "serviceAccountName"}) : nullptr;
  if (name == nullptr || !name->is_string() || name->get<std::string>().empty())
    return "default";
  return name->get<std::string>();
}

} // namespace

api_response handle_token_request(const store& s, const token_signer& signer, const std::string& ns,
                                  const std::string& sa, const api_request& req,
                                  std::chrono::system_clock::time_point now) {
  api_error why;
  auto body = parse_request_body(req, &why);
  if (!body)
    return fail(why);
  if (!body->is_object())
    return fail(bad_request("TokenRequest body is not a JSON object"));
  token_claims claims;
  claims.namespace_ = ns;
  claims.service_account = sa;
  if (const auto* aud = find_path(*body, {"spec", "audiences"}); aud && !aud->is_null()) {
    if (!aud->is_array())
      return invalid(sa, "spec.audiences: Invalid value: not a list of strings");
    for (const auto& a : *aud) {
      if (!a.is_string() || a.get<std::string>().empty())
        return invalid(sa, "spec.audiences: Invalid value: not a list of non-empty strings");
      claims.audiences.push_back(a.get<std::string>());
    }
  }
  if (claims.audiences.empty())
    claims.audiences.emplace_back(default_token_issuer);
  int64_t seconds = default_expiration_seconds;
  if (const auto* exp = find_path(*body, {"spec", "expirationSeconds"}); exp && !exp->is_null()) {
    if (!exp->is_number_integer())
      return invalid(sa, "spec.expirationSeconds: Invalid value: not an integer");
    seconds = exp->get<int64_t>();
    if (seconds < min_expiration_seconds)
      return invalid(sa, "spec.expirationSeconds: Invalid value: " + std::to_string(seconds)
                             + ": may not specify a duration less than 10 minutes");
    if (seconds > max_expiration_seconds)
      return invalid(sa, "spec.expirationSeconds: Invalid value: " + std::to_string(seconds)
                             + ": may not specify a duration larger than 2^32 seconds");
  }
  auto account = s.get(*find_resource("", "v1", "serviceaccounts"), ns, sa);
  if (account.error)
    return fail(*account.error);
  claims.service_account_uid = account.object->uid;
  const auto* ref = find_path(*body, {"spec", "boundObjectRef"});
  if (ref && !ref->is_null()) {
    auto field = [&](const char* name) {
      const auto* v = find_path(*ref, {name});
      return v && v->is_string() ? v->get<std::string>() : std::string{};
    };
    if (field("kind") != "Pod")
      return invalid(sa, "spec.boundObjectRef.kind: Unsupported value: \"" + field("kind")
                             + "\": kube-sim binds tokens to Pods only");
    if (auto v = field("apiVersion"); !v.empty() && v != "v1")
      return invalid(sa, "spec.boundObjectRef.apiVersion: Unsupported value: \"" + v + "\"");
    auto name = field("name");
    if (name.empty())
      return invalid(sa, "spec.boundObjectRef.name: Required value");
    const auto& pods = *find_resource("", "v1", "pods");
    auto pod = s.get(pods, ns, name);
    if (pod.error)
      return fail(*pod.error);
    if (auto uid = field("uid"); !uid.empty() && uid != pod.object->uid)
      return fail({409, "Conflict",
                   "Operation cannot be fulfilled on Pod \"" + name
                       + "\": the UID in the bound object reference (" + uid
                       + ") does not match the UID in record. The object might have been "
                         "deleted and then recreated",
                   "Pod", name});
    if (pod_service_account(pod.object->json) != sa)
      return fail(bad_request("cannot bind token for serviceaccount \"" + sa
                              + "\" to pod running with different serviceaccount name."));
    claims.pod_name = name;
    claims.pod_uid = pod.object->uid;
  }
  claims.issued_at = std::chrono::time_point_cast<std::chrono::seconds>(now);
  claims.not_before = claims.issued_at;
  claims.expires = claims.issued_at + std::chrono::seconds{seconds};
  json spec = json::object();
  spec["audiences"] = claims.audiences;
  spec["expirationSeconds"] = seconds;
  if (ref && !ref->is_null())
    spec["boundObjectRef"] = *ref;
  json out = json::object();
  out["kind"] = "TokenRequest";
  out["apiVersion"] = "authentication.k8s.io/v1";
  out["metadata"] = json{{"name", sa}, {"namespace", ns}, {"creationTimestamp", rfc3339(now)}};
  out["spec"] = std::move(spec);
  out["status"]
      = json{{"token", signer.issue(claims)}, {"expirationTimestamp", rfc3339(claims.expires)}};
  return {201, dump_json(out), "application/json"};
}

} // namespace ambient::sim
