#include "sim/api_handler.hpp"

#include "base/percent.hpp"

#include "sim/protobuf_body.hpp"

#include <algorithm>
#include <charconv>
#include <vector>

namespace ambient::sim {

namespace {

std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> parts;
  while (!path.empty()) {
    if (path.front() == '/') {
      path.remove_prefix(1);
      continue;
    }
    auto slash = path.find('/');
    parts.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos)
      break;
    path.remove_prefix(slash);
  }
  return parts;
}

api_response json_ok(std::string body, int status = 200) {
  return {status, std::move(body), "application/json"};
}

void append_string_array(std::string& out, const std::vector<std::string>& xs) {
  out += '[';
  for (size_t i = 0; i < xs.size(); ++i) {
    if (i)
      out += ',';
    out += dump_json(xs[i]);
  }
  out += ']';
}

std::string version_json() {
  return R"({"major":"1","minor":"32","gitVersion":"v1.32.0-kube-sim","gitCommit":"kube-sim",)"
         R"("gitTreeState":"clean","buildDate":"2026-01-01T00:00:00Z","goVersion":"go1.23",)"
         R"("compiler":"gc","platform":"linux/amd64"})";
}

std::string api_versions_json(const std::string& server_address) {
  std::string out = R"({"kind":"APIVersions","versions":["v1"],"serverAddressByClientCIDRs":[)"
                    R"({"clientCIDR":"0.0.0.0/0","serverAddress":)";
  out += dump_json(server_address);
  out += R"(}]})";
  return out;
}

/// The groups kube-sim serves, in first-seen order, with their versions.
std::vector<std::pair<std::string, std::vector<std::string>>> served_groups() {
  std::vector<std::pair<std::string, std::vector<std::string>>> groups;
  for (const auto& r : builtin_resources()) {
    if (r.group.empty())
      continue;
    auto it
        = std::find_if(groups.begin(), groups.end(), [&](auto& g) { return g.first == r.group; });
    if (it == groups.end()) {
      groups.push_back({r.group, {r.version}});
    } else if (std::find(it->second.begin(), it->second.end(), r.version) == it->second.end()) {
      it->second.push_back(r.version);
    }
  }
  return groups;
}

std::string api_group_json(const std::string& name, const std::vector<std::string>& versions) {
  std::string out = R"({"name":")" + name + R"(","versions":[)";
  for (size_t i = 0; i < versions.size(); ++i) {
    if (i)
      out += ',';
    out += R"({"groupVersion":")" + name + "/" + versions[i] + R"(","version":")" + versions[i]
           + R"("})";
  }
  out += R"(],"preferredVersion":{"groupVersion":")" + name + "/" + versions.front()
         + R"(","version":")" + versions.front() + R"("}})";
  return out;
}

std::string api_group_list_json() {
  std::string out = R"({"kind":"APIGroupList","apiVersion":"v1","groups":[)";
  bool first = true;
  for (const auto& [name, versions] : served_groups()) {
    if (!first)
      out += ',';
    first = false;
    out += api_group_json(name, versions);
  }
  out += "]}";
  return out;
}

std::string resource_list_json(std::string_view group, std::string_view version) {
  std::string gv
      = group.empty() ? std::string{version} : std::string{group} + "/" + std::string{version};
  std::string out = R"({"kind":"APIResourceList","apiVersion":"v1","groupVersion":")" + gv
                    + R"(","resources":[)";
  bool first = true;
  for (const auto& r : builtin_resources()) {
    if (r.group != group || r.version != version)
      continue;
    if (!first)
      out += ',';
    first = false;
    out += R"({"name":")" + r.resource + R"(","singularName":")" + r.singular + R"(","namespaced":)"
           + (r.namespaced ? "true" : "false") + R"(,"kind":")" + r.kind + R"(","verbs":)";
    append_string_array(out, resource_verbs());
    if (!r.short_names.empty()) {
      out += R"(,"shortNames":)";
      append_string_array(out, r.short_names);
    }
    out += '}';
  }
  out += "]}";
  return out;
}

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

std::optional<size_t> parse_size(std::string_view text) {
  size_t v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc{} || p != text.data() + text.size())
    return std::nullopt;
  return v;
}

api_response object_response(const object_result& r, int ok_status) {
  if (r.error)
    return error_response(*r.error);
  return json_ok(r.object->json, ok_status);
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
  auto asked = parse_size(rv);
  if (!asked)
    return error_response({400, "BadRequest", "invalid resourceVersion: " + rv, {}, {}});
  if (auto current = s.resource_version(); *asked > current)
    return too_large_version(*asked, current);
  if (limit > 0 && *asked < s.oldest_resource_version())
    return error_response(
        {410, "Expired", "The resourceVersion for the provided list is too old.", {}, {}});
  return std::nullopt;
}

/// Handles a request on a resource path once the resource, namespace and name are known.
api_outcome handle_resource(store& s, const api_request& req, const resource_type& rt,
                            const std::string& ns, const std::string& name,
                            const std::map<std::string, std::string>& q) {
  auto get = [&](const char* key) {
    auto it = q.find(key);
    return it == q.end() ? std::string{} : it->second;
  };
  auto parse_body = [&](json& out) -> std::optional<api_response> {
    std::string err;
    if (is_kubernetes_protobuf(req.content_type)) {
      auto v = decode_kubernetes_protobuf(req.body, &err);
      if (!v)
        return error_response({415, "UnsupportedMediaType", err, {}, {}});
      out = std::move(*v);
      return std::nullopt;
    }
    auto v = parse_json(req.body, &err);
    if (!v)
      return error_response(
          {400, "BadRequest", "the request body is not valid JSON: " + err, {}, {}});
    out = std::move(*v);
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
        auto secs = parse_size(t);
        if (!secs)
          return error_response({400, "BadRequest", "timeoutSeconds: not a number: " + t, {}, {}});
        w.timeout = std::chrono::seconds{*secs};
      }
      return w;
    }
    size_t limit = 0;
    if (auto l = get("limit"); !l.empty()) {
      auto n = parse_size(l);
      if (!n)
        return error_response({400, "BadRequest", "limit: not a number: " + l, {}, {}});
      limit = *n;
    }
    if (auto refused = check_list_version(s, get("resourceVersion"), limit, get("continue")))
      return *refused;
    auto result = s.list(rt, filter, limit, get("continue"));
    if (result.error)
      return error_response(*result.error);
    return json_ok(list_json(rt, result));
  }
  if (req.method == "GET")
    return object_response(s.get(rt, ns, name), 200);
  if (req.method == "POST" && name.empty()) {
    json body;
    if (auto bad = parse_body(body))
      return *bad;
    return object_response(s.create(rt, ns, std::move(body)), 201);
  }
  if (req.method == "PUT" && !name.empty()) {
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

} // namespace

std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space) {
  return base::percent_decode(text, plus_is_space);
}

std::optional<std::map<std::string, std::string>> parse_query(std::string_view query) {
  std::map<std::string, std::string> out;
  while (!query.empty()) {
    auto amp = query.find('&');
    auto pair = query.substr(0, amp);
    auto eq = pair.find('=');
    auto key = percent_decode(pair.substr(0, eq), true);
    auto value = eq == std::string_view::npos ? std::optional<std::string>{""}
                                              : percent_decode(pair.substr(eq + 1), true);
    if (!key || !value)
      return std::nullopt;
    if (!key->empty())
      out[*key] = *value;
    if (amp == std::string_view::npos)
      break;
    query.remove_prefix(amp + 1);
  }
  return out;
}

api_response error_response(const api_error& e) {
  return {e.code, status_json(e), "application/json"};
}

std::string watch_event_json(const watch_event& e) {
  std::string out;
  out.reserve(e.object->json.size() + 32);
  out += R"({"type":")";
  out += to_string(e.type);
  out += R"(","object":)";
  out += e.object->json;
  out += '}';
  return out;
}

std::string bookmark_event_json(const resource_type& rt, uint64_t rv) {
  return R"({"type":"BOOKMARK","object":{"kind":")" + rt.kind + R"(","apiVersion":")"
         + rt.api_version() + R"(","metadata":{"resourceVersion":")" + std::to_string(rv)
         + R"(","annotations":{"k8s.io/initial-events-end":"true"}}}})";
}

std::string error_event_json(const api_error& e) {
  return R"({"type":"ERROR","object":)" + status_json(e) + "}";
}

api_outcome handle_api_request(store& s, const api_request& req,
                               const std::string& server_address) {
  std::string_view target = req.target;
  auto qpos = target.find('?');
  auto raw_path = target.substr(0, qpos);
  auto query
      = parse_query(qpos == std::string_view::npos ? std::string_view{} : target.substr(qpos + 1));
  if (!query)
    return error_response({400, "BadRequest", "malformed query string", {}, {}});
  auto decoded = percent_decode(raw_path, false);
  if (!decoded)
    return error_response({400, "BadRequest", "malformed URL path", {}, {}});
  auto parts = split_path(*decoded);

  if (parts.size() == 1 && (parts[0] == "healthz" || parts[0] == "livez" || parts[0] == "readyz"))
    return api_response{200, "ok", "text/plain"};
  if (req.method == "GET" && parts.size() == 1 && parts[0] == "version")
    return json_ok(version_json());

  std::string_view group, version;
  size_t rest = 0;
  if (!parts.empty() && parts[0] == "api") {
    if (parts.size() == 1)
      return json_ok(api_versions_json(server_address));
    version = parts[1];
    rest = 2;
  } else if (!parts.empty() && parts[0] == "apis") {
    if (parts.size() == 1)
      return json_ok(api_group_list_json());
    group = parts[1];
    if (parts.size() == 2) {
      for (const auto& [name, versions] : served_groups())
        if (name == group)
          return json_ok(R"({"kind":"APIGroup","apiVersion":"v1",)"
                         + api_group_json(name, versions).substr(1));
      return error_response(
          {404, "NotFound", "the server could not find the requested resource", {}, {}});
    }
    version = parts[2];
    rest = 3;
  } else {
    return error_response(
        {404, "NotFound", "the server could not find the requested resource", {}, {}});
  }
  if (parts.size() == rest) {
    bool served
        = std::any_of(builtin_resources().begin(), builtin_resources().end(),
                      [&](const auto& r) { return r.group == group && r.version == version; });
    if (!served)
      return error_response(
          {404, "NotFound", "the server could not find the requested resource", {}, {}});
    return json_ok(resource_list_json(group, version));
  }
  // [namespaces/<ns>/]<resource>[/<name>]
  std::string ns;
  auto tail = std::vector<std::string_view>(parts.begin() + static_cast<long>(rest), parts.end());
  if (tail.size() >= 3 && tail[0] == "namespaces") {
    ns = std::string{tail[1]};
    tail.erase(tail.begin(), tail.begin() + 2);
  }
  if (tail.empty() || tail.size() > 2)
    return error_response(
        {404, "NotFound", "the server could not find the requested resource", {}, {}});
  const auto* rt = find_resource(group, version, tail[0]);
  if (rt == nullptr)
    return error_response(
        {404, "NotFound", "the server could not find the requested resource", {}, {}});
  if (!rt->namespaced && !ns.empty())
    return error_response(
        {404, "NotFound", "the server could not find the requested resource", {}, {}});
  std::string name = tail.size() == 2 ? std::string{tail[1]} : std::string{};
  if (rt->namespaced && ns.empty() && (!name.empty() || req.method != "GET"))
    return error_response(
        {404, "NotFound", "the server could not find the requested resource", {}, {}});
  return handle_resource(s, req, *rt, ns, name, *query);
}

} // namespace ambient::sim
