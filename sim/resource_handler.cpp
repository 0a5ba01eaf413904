#include "sim/resource_handler.hpp"

#include "base/decimal.hpp"

#include "sim/field_validation.hpp"
#include "sim/request_body.hpp"

namespace ambient::sim {

namespace {

std::string list_json(const resource_type& rt, const list_result& l) {
  size_t size = 128;
  for (const auto& o : l.items)
    size += o->json.size() + 1;
  std::string out;
  out.reserve(size);
  out += R"({"kind":")" + rt.list_kind() + R"(","apiVersion":")" + rt.api_version()
         + R"(","metadata":{"resourceVersion":")" + std::to_string(l.resource_version) + '"';
  if (!l.continue_token.empty())
    out += R"(,"continue":")" + l.continue_token + '"';
  out += R"(},"items":[)";
  for (size_t i = 0; i < l.items.size(); ++i) {
    if (i)
      out += ',';
    out += l.items[i]->json;
  }
  out += "]}";
  return out;
}

api_response object_response(const object_result& r, int ok_status) {
  if (r.error)
    return error_response(*r.error);
  return {ok_status, r.object->json, "application/json"};
}

/// The 504 the API server's watch cache answers a list at a resource version it has not reached
/// once its wait for it times out (k8s.io/apiserver storage's "too large resource version" error,
/// with the ResourceVersionTooLarge cause that clients look for).
api_response too_large_version(uint64_t asked, uint64_t current) {
  return {504,
          R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":)"
          R"("Too large resource version: )"
              + std::to_string(asked) + ", current: " + std::to_string(current)
              + R"(","reason":"Timeout","details":{"causes":[{"reason":"ResourceVersionTooLarge",)"
                R"("message":"Too large resource version"}],"retryAfterSeconds":1},"code":504})",
          "application/json"};
}

/// What a list at `rv` gets before any object is read, if it is refused. "" and "0" take any
/// state; a number asks for a state at least that new (a paged list: exactly that one). kube-sim
/// keeps only its newest state, which satisfies every version up to it (a real server answers a
/// paged list at a version with that version's state; never an older one). A version newer than
/// the store gets 504 at once (the real watch cache first waits up to 3 s for it); a paged list at
/// a version older than the history gets 410 Expired, as etcd's compaction makes it. A continued
/// page carries its own version in the token, and the real server refuses one next to it.
std::optional<api_response> check_list_version(const store& s, const std::string& rv, size_t limit,
                                               const std::string& continue_token) {
  if (rv.empty() || rv == "0")
    return std::nullopt;
  if (!continue_token.empty())
    return error_response({400,
                           "BadRequest",
                           "specifying resource version is not allowed when using continue",
                           {},
                           {}});
  auto asked = base::parse_decimal<size_t>(rv);
  if (!asked)
    return error_response({400, "BadRequest", "invalid resourceVersion: " + rv, {}, {}});
  if (auto current = s.resource_version(); *asked > current)
    return too_large_version(*asked, current);
  if (limit > 0 && *asked < s.oldest_resource_version())
    return error_response(
        {410, "Expired", "The resourceVersion for the provided list is too old.", {}, {}});
  return std::nullopt;
}

} // namespace

api_outcome handle_resource_request(store& s, const api_request& req, const resource_type& rt,
                                    const std::string& ns, const std::string& name,
                                    const std::map<std::string, std::string>& q) {
  auto get = [&](const char* key) {
    auto it = q.find(key);
    return it == q.end() ? std::string{} : it->second;
  };
  auto parse_body = [&](json& out) -> std::optional<api_response> {
    api_error err;
    auto v = parse_request_body(req, &err);
    if (!v)
      return error_response(err);
    out = std::move(*v);
    return std::nullopt;
  };
  auto field_validation_refused = [&](const char* options_kind) -> std::optional<api_response> {
    if (auto bad = check_field_validation(get("fieldValidation"), options_kind))
      return error_response(*bad);
    return std::nullopt;
  };
  if (req.method == "GET" && name.empty()) {
    object_filter filter;
    filter.namespace_ = ns;
    std::string err;
    auto ls = label_selector::parse(get("labelSelector"), &err);
    if (!ls)
      return error_response({400, "BadRequest", "labelSelector: " + err, {}, {}});
    auto fs = field_selector::parse(get("fieldSelector"), rt.selectable_fields, &err);
    if (!fs)
      return error_response({400, "BadRequest", "fieldSelector: " + err, {}, {}});
    filter.labels = std::move(*ls);
    filter.fields = std::move(*fs);
    auto watch = get("watch");
    if (watch == "true" || watch == "1") {
      watch_request w;
      w.resource = &rt;
      w.filter = std::move(filter);
      w.resource_version = get("resourceVersion");
      w.allow_bookmarks = get("allowWatchBookmarks") == "true";
      if (auto t = get("timeoutSeconds"); !t.empty()) {
        auto secs = base::parse_decimal<size_t>(t);
        if (!secs)
          return error_response({400, "BadRequest", "timeoutSeconds: not a number: " + t, {}, {}});
        w.timeout = std::chrono::seconds{*secs};
      }
      return w;
    }
    size_t limit = 0;
    if (auto l = get("limit"); !l.empty()) {
      auto n = base::parse_decimal<size_t>(l);
      if (!n)
        return error_response({400, "BadRequest", "limit: not a number: " + l, {}, {}});
      limit = *n;
    }
    if (auto refused = check_list_version(s, get("resourceVersion"), limit, get("continue")))
      return *refused;
    auto result = s.list(rt, filter, limit, get("continue"));
    if (result.error)
      return error_response(*result.error);
    return api_response{200, list_json(rt, result), "application/json"};
  }
  if (req.method == "GET")
    return object_response(s.get(rt, ns, name), 200);
  if (req.method == "POST" && name.empty()) {
    if (auto bad = field_validation_refused("CreateOptions"))
      return *bad;
    json body;
    if (auto bad = parse_body(body))
      return *bad;
    return object_response(s.create(rt, ns, std::move(body)), 201);
  }
  if (req.method == "PUT" && !name.empty()) {
    if (auto bad = field_validation_refused("UpdateOptions"))
      return *bad;
    json body;
    if (auto bad = parse_body(body))
      return *bad;
    return object_response(s.update(rt, ns, name, std::move(body)), 200);
  }
  if (req.method == "PATCH" && !name.empty()) {
    store::patch_type type;
    auto ct = req.content_type.substr(0, req.content_type.find(';'));
    if (ct == "application/merge-patch+json")
      type = store::patch_type::merge;
    else if (ct == "application/strategic-merge-patch+json")
      type = store::patch_type::strategic;
    else
      return error_response({415,
                             "UnsupportedMediaType",
                             "the body of the request was in an unknown format - accepted media "
                             "types include: application/merge-patch+json, "
                             "application/strategic-merge-patch+json",
                             {},
                             {}});
    if (auto bad = field_validation_refused("PatchOptions"))
      return *bad;
    json body;
    if (auto bad = parse_body(body))
      return *bad;
    return object_response(s.patch(rt, ns, name, type, body), 200);
  }
  if (req.method == "DELETE" && !name.empty())
    return object_response(s.remove(rt, ns, name), 200);
  return error_response({405,
                         "MethodNotAllowed",
                         "the server does not allow this method on the requested resource",
                         {},
                         {}});
}

} // namespace ambient::sim
