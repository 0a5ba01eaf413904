#include <array>

#include "kube/decode.hpp"
#include "kube/object_readers.hpp"
#include "kube/resource_kind.hpp"

/// The kind table: one row per resource kind, in resource_kind's order. Adding a kind is a row
/// here, an object struct and any_object alternative in kube/objects.hpp, and a read_body
/// (kube/object_readers.hpp).
namespace ambient::kube {

namespace {

using reader = bool (*)(json::ctx&, json::od::object&, const json::path&, std::string_view name,
                        any_object&);

/// One row: names, where the collection lives, and how one object is read.
struct kind_row {
  resource_kind kind;
  std::string_view plural, name;
  std::string_view api_prefix; ///< "/api/v1" or "/apis/<group>/<version>"
  bool namespaced;
  reader read;
};

template <class T>
constexpr kind_row row(std::string_view plural, std::string_view name, std::string_view prefix,
                       bool namespaced) {
  return {kind_of<T>,
          plural,
          name,
          prefix,
          namespaced,
          [](json::ctx& cx, json::od::object& obj, const json::path& p, std::string_view kind,
             any_object& out) {
            return json::read_object(cx, obj, p, kind, out.emplace<T>());
          }};
}

constexpr std::array kinds{
    row<namespace_>("namespaces", "Namespace", "/api/v1", false),
    row<pod>("pods", "Pod", "/api/v1", true),
    row<service>("services", "Service", "/api/v1", true),
    row<node>("nodes", "Node", "/api/v1", false),
    row<endpoint_slice>("endpointslices", "EndpointSlice", "/apis/discovery.k8s.io/v1", true),
    row<secret>("secrets", "Secret", "/api/v1", true),
    row<config_map>("configmaps", "ConfigMap", "/api/v1", true),
    row<lease>("leases", "Lease", "/apis/coordination.k8s.io/v1", true),
    row<gateway>("gateways", "Gateway", "/apis/gateway.networking.k8s.io/v1", true),
    row<authorization_policy>("authorizationpolicies", "AuthorizationPolicy",
                              "/apis/security.istio.io/v1", true),
    row<peer_authentication>("peerauthentications", "PeerAuthentication",
                             "/apis/security.istio.io/v1", true),
    row<gateway_class>("gatewayclasses", "GatewayClass", "/apis/gateway.networking.k8s.io/v1",
                       false),
};

static_assert(kinds.size() == std::variant_size_v<any_object>);
static_assert([] {
  for (size_t i = 0; i < kinds.size(); ++i)
    if (static_cast<size_t>(kinds[i].kind) != i)
      return false;
  return true;
}());

const kind_row& row_of(resource_kind k) {
  return kinds.at(static_cast<size_t>(k));
}

} // namespace

std::string_view to_string(resource_kind k) {
  return row_of(k).plural;
}

std::string_view kind_name(resource_kind k) {
  return row_of(k).name;
}

std::string collection_path(resource_kind k, std::string_view namespace_) {
  const auto& r = row_of(k);
  std::string out{r.api_prefix};
  if (r.namespaced && !namespace_.empty()) {
    out += "/namespaces/";
    out += namespace_;
  }
  out += '/';
  out += r.plural;
  return out;
}

std::string object_path(resource_kind k, std::string_view namespace_, std::string_view name) {
  auto out = collection_path(k, namespace_);
  out += '/';
  out += name;
  return out;
}

const object_meta& meta_of(const any_object& o) {
  return std::visit([](const auto& x) -> const object_meta& { return x.meta; }, o);
}

bool json::read_any(ctx& cx, resource_kind k, od::object& obj, const path& p, any_object& out) {
  const auto& r = row_of(k);
  return r.read(cx, obj, p, r.name, out);
}

decoded<any_object> decode_object(resource_kind k, std::string_view json,
                                  const decode_limits& limits) {
  auto what = kind_name(k);
  if (json.size() > limits.max_object_bytes)
    return json::too_large(what, json.size(), limits);
  any_object out;
  json::ctx cx;
  json::with_document(cx, json, [&](json::od::object& top, const json::path& root) {
    return json::read_any(cx, k, top, root, out);
  });
  if (!cx.failed)
    return out;
  auto meta = meta_of(out);
  if (meta.name.empty()) // the failure came before metadata, or inside it
    json::peek_identity(json, meta.namespace_, meta.name);
  return json::make_error(what, meta.namespace_, meta.name, *cx.failed);
}

std::optional<object_meta> decode_object_meta(std::string_view json) {
  if (json.size() > decode_limits{}.max_object_bytes)
    return std::nullopt;
  object_meta meta;
  json::ctx cx;
  json::with_document(cx, json, [&](json::od::object& top, const json::path& root) {
    return json::fields_of(cx, top, root,
                           [&](std::string_view k, json::od::value& v, const json::path& p) {
                             return k != "metadata" || json::read_meta(cx, v, p, meta);
                           });
  });
  if (cx.failed || meta.name.empty())
    return std::nullopt;
  return meta;
}

} // namespace ambient::kube
