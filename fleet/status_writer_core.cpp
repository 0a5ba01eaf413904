#include "fleet/status_writer_core.hpp"

#include "base/json_writer.hpp"
#include "fleet/leader_election.hpp"
#include "kube/decode.hpp"
#include "kube/resource_kind.hpp"

namespace ambient::fleet {

status_writer_core::status_writer_core(std::string ns, std::string name)
  : namespace_(std::move(ns)), name_(std::move(name)) {}

std::string status_writer_core::collection() const {
  return kube::collection_path(kube::resource_kind::config_maps, namespace_);
}

std::string status_writer_core::item() const {
  return kube::object_path(kube::resource_kind::config_maps, namespace_, name_);
}

void status_writer_core::on_leadership(bool leading, std::string identity) {
  leading_ = leading;
  identity_ = std::move(identity);
  in_flight_ = false;
  creating_ = false;
  resource_version_.clear();
}

std::optional<api_call> status_writer_core::on_status(std::string clusters, std::string summary,
                                                      std::chrono::system_clock::time_point now) {
  if (!leading_ || in_flight_)
    return std::nullopt;
  if (clusters == written_ && !resource_version_.empty())
    return std::nullopt;
  in_flight_ = true;
  if (resource_version_.empty() && !creating_) {
    pending_.clear();
    return api_call{"GET", item(), {}};
  }
  auto body = config_map_json(clusters, summary, now);
  pending_ = std::move(clusters);
  if (creating_)
    return api_call{"POST", collection(), std::move(body)};
  return api_call{"PUT", item(), std::move(body)};
}

status_outcome status_writer_core::on_response(const kube::response_end& end) {
  in_flight_ = false;
  auto where = "configmap " + namespace_ + "/" + name_;
  auto http = "HTTP " + std::to_string(end.status) + (end.error.empty() ? "" : " " + end.error);
  if (resource_version_.empty() && !creating_) { // the read before the first write of a term
    written_.clear();                            // write at the next status
    if (end.status == 404) {
      creating_ = true;
      return {status_outcome::kind::read, {}};
    }
    if (auto meta = kube::decode_object_meta(end.body); end.status == 200 && meta) {
      resource_version_ = meta->resource_version;
      return {status_outcome::kind::read, {}};
    }
    return {status_outcome::kind::failed, "reading " + where + " failed: " + http};
  }
  creating_ = false;
  if (end.status >= 200 && end.status < 300) {
    written_ = std::move(pending_);
    if (auto meta = kube::decode_object_meta(end.body))
      resource_version_ = meta->resource_version;
    return {status_outcome::kind::written, {}};
  }
  resource_version_.clear(); // 409 or anything else: read again before the next write
  return {status_outcome::kind::failed, "writing " + where + " failed: " + http};
}

std::string status_writer_core::config_map_json(const std::string& clusters,
                                                const std::string& summary,
                                                std::chrono::system_clock::time_point now) const {
  base::json_writer w;
  w.begin_object().member("apiVersion", "v1").member("kind", "ConfigMap");
  w.key("metadata").begin_object().member("name", name_).member("namespace", namespace_);
  if (!resource_version_.empty())
    w.member("resourceVersion", resource_version_);
  w.key("annotations")
      .begin_object()
      .member("ambientd.io/writer", identity_)
      .member("ambientd.io/written-at", micro_time(now))
      .end_object()
      .end_object();
  w.key("data").begin_object().member("clusters.json", clusters).member("summary", summary);
  w.end_object().end_object();
  return w.take();
}

} // namespace ambient::fleet
