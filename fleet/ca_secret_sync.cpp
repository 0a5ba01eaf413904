#include "fleet/ca_secret_sync.hpp"

#include "base/base64.hpp"
#include "base/json_writer.hpp"
#include "kube/decode.hpp"
#include "kube/objects.hpp"

namespace ambient::fleet {

namespace {

std::string failure(const std::string& what, const kube::response_end& end) {
  if (end.status == 0)
    return what + ": " + end.error;
  return what + ": HTTP " + std::to_string(end.status);
}

} // namespace

ca_secret_sync::ca_secret_sync(std::string ns, std::string name)
  : namespace_(std::move(ns)), name_(std::move(name)) {
  // nop
}

std::string ca_secret_sync::item() const {
  return "/api/v1/namespaces/" + namespace_ + "/secrets/" + name_;
}

api_call ca_secret_sync::start() const {
  return {"GET", item(), {}};
}

std::string ca_secret_sync::secret_json(const std::map<std::string, std::string>& data) const {
  base::json_writer w;
  w.begin_object()
      .key("apiVersion")
      .value("v1")
      .key("kind")
      .value("Secret")
      .key("metadata")
      .begin_object()
      .key("name")
      .value(name_)
      .key("namespace")
      .value(namespace_)
      .end_object()
      .key("type")
      .value("istio.io/ca-root")
      .key("data")
      .begin_object();
  for (const auto& [k, v] : data)
    w.key(k).value(base::encode_base64(v));
  w.end_object().end_object();
  return w.take();
}

ca_secret_step ca_secret_sync::advance(const kube::response_end& end,
                                       const std::map<std::string, std::string>* new_root) {
  const auto where = "secret " + namespace_ + "/" + name_;
  if (creating_) {
    if (end.status == 200 || end.status == 201)
      return {std::nullopt, created_, {}};
    creating_ = false;
    if (end.status == 409) // another replica created it first: use theirs
      return {start(), std::nullopt, {}};
    return {std::nullopt, std::nullopt, failure("creating " + where, end)};
  }
  if (end.status == 404 && new_root != nullptr) {
    creating_ = true;
    created_ = *new_root;
    return {
        api_call{"POST", "/api/v1/namespaces/" + namespace_ + "/secrets", secret_json(created_)},
        std::nullopt,
        {}};
  }
  if (end.status != 200)
    return {std::nullopt, std::nullopt, failure("reading " + where, end)};
  auto decoded = kube::decode_as<kube::secret>(end.body);
  if (auto* e = std::get_if<kube::decode_error>(&decoded))
    return {std::nullopt, std::nullopt, where + ": " + e->message};
  std::map<std::string, std::string> data;
  for (auto& [k, v] : std::get<kube::secret>(decoded).data)
    data.emplace(k, std::move(v));
  return {std::nullopt, std::move(data), {}};
}

} // namespace ambient::fleet
