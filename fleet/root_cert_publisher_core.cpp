#include "fleet/root_cert_publisher_core.hpp"

#include <algorithm>

#include "base/json_writer.hpp"
#include "kube/api_envelope.hpp"
#include "kube/resource_kind.hpp"

namespace ambient::fleet {

namespace {

/// The API server refused a create because the namespace is being deleted (403 with cause
/// NamespaceTerminating).
bool namespace_terminating(const kube::response_end& end) {
  if (end.body.find("NamespaceTerminating") != std::string::npos)
    return true;
  auto st = kube::decode_status(end.body);
  return st && st->message.find("is being terminated") != std::string::npos;
}

std::string http_of(const kube::response_end& end) {
  if (end.status == 0)
    return end.error.empty() ? std::string{"no response"} : end.error;
  auto out = "HTTP " + std::to_string(end.status);
  if (auto st = kube::decode_status(end.body); st && !st->message.empty())
    out += ": " + st->message;
  return out;
}

} // namespace

bool root_cert_ignored_namespace(std::string_view name) {
  return name == "kube-public" || name == "kube-node-lease" || name == "local-path-storage";
}

root_cert_publisher_core::root_cert_publisher_core(std::string roots_pem, root_cert_retry retry)
  : roots_(std::move(roots_pem)), retry_(retry) {
  // nop
}

void root_cert_publisher_core::on_leadership(bool leading) {
  leading_ = leading;
  synced_ = false;
  namespaces_.clear();
  config_maps_.clear();
  queue_.clear();
  queued_.clear();
  waiting_.clear();
  attempts_.clear();
  in_flight_.reset();
}

void root_cert_publisher_core::on_roots(std::string roots_pem) {
  if (roots_pem == roots_)
    return;
  roots_ = std::move(roots_pem);
  for (const auto& [name, _] : namespaces_)
    enqueue(name);
}

void root_cert_publisher_core::on_synced() {
  if (!leading_ || synced_)
    return;
  synced_ = true;
  for (const auto& [name, _] : namespaces_)
    enqueue(name);
}

void root_cert_publisher_core::on_namespace(const std::string& name, bool terminating,
                                            bool admitted) {
  if (!leading_)
    return;
  namespaces_[name] = {terminating, admitted};
  enqueue(name);
}

void root_cert_publisher_core::on_admission(const std::string& name, bool admitted) {
  auto it = namespaces_.find(name);
  if (!leading_ || it == namespaces_.end())
    return;
  it->second.admitted = admitted;
  enqueue(name);
}

void root_cert_publisher_core::on_namespace_deleted(const std::string& name) {
  namespaces_.erase(name);
  waiting_.erase(name);
  attempts_.erase(name);
}

void root_cert_publisher_core::on_config_map(const std::string& ns,
                                             std::optional<std::string> roots) {
  if (!leading_)
    return;
  config_maps_[ns] = std::move(roots);
  enqueue(ns);
}

void root_cert_publisher_core::on_config_map_deleted(const std::string& ns) {
  if (!leading_)
    return;
  config_maps_.erase(ns);
  enqueue(ns);
}

bool root_cert_publisher_core::wanted(const std::string& ns) const {
  auto it = namespaces_.find(ns);
  return leading_ && it != namespaces_.end() && it->second.admitted && !it->second.terminating
         && !root_cert_ignored_namespace(ns);
}

void root_cert_publisher_core::enqueue(const std::string& ns) {
  if (!leading_ || waiting_.contains(ns) || !queued_.insert(ns).second)
    return; // a namespace waiting for its retry is reconciled then, with what is known then
  queue_.push_back(ns);
}

std::optional<api_call> root_cert_publisher_core::next(time_point now) {
  if (!leading_ || !synced_ || in_flight_)
    return std::nullopt;
  for (auto it = waiting_.begin(); it != waiting_.end();) {
    if (it->second > now) {
      ++it;
      continue;
    }
    auto ns = it->first;
    it = waiting_.erase(it);
    enqueue(ns);
  }
  while (!queue_.empty()) {
    auto ns = std::move(queue_.front());
    queue_.pop_front();
    queued_.erase(ns);
    if (auto call = reconcile(ns))
      return call;
  }
  return std::nullopt;
}

std::optional<api_call> root_cert_publisher_core::reconcile(const std::string& ns) {
  if (!wanted(ns)) {
    attempts_.erase(ns);
    return std::nullopt;
  }
  const std::string name{root_cert_config_map};
  const std::string key{root_cert_key};
  auto cm = config_maps_.find(ns);
  base::json_writer w;
  if (cm == config_maps_.end()) {
    w.begin_object().member("apiVersion", "v1").member("kind", "ConfigMap");
    w.key("metadata").begin_object().member("name", name).member("namespace", ns);
    w.key("labels").begin_object().member("istio.io/config", "true").end_object().end_object();
    w.key("data").begin_object().member(key, roots_).end_object().end_object();
    in_flight_ = call_in_flight{ns, true};
    return api_call{"POST", kube::collection_path(kube::resource_kind::config_maps, ns), w.take()};
  }
  if (cm->second && *cm->second == roots_) {
    attempts_.erase(ns);
    return std::nullopt;
  }
  // A JSON merge patch (the transport sends PATCH as application/merge-patch+json): only this key
  // changes, whatever else the ConfigMap holds.
  w.begin_object().key("data").begin_object().member(key, roots_).end_object().end_object();
  in_flight_ = call_in_flight{ns, false};
  return api_call{"PATCH", kube::object_path(kube::resource_kind::config_maps, ns, name), w.take()};
}

root_cert_outcome root_cert_publisher_core::on_response(const kube::response_end& end,
                                                        time_point now) {
  if (!in_flight_)
    return {root_cert_outcome::kind::stale, {}};
  auto [ns, creating] = std::move(*in_flight_);
  in_flight_.reset();
  const auto where = "configmap " + ns + "/" + std::string{root_cert_config_map};
  const std::string verb = creating ? "creating " : "updating ";
  using kind = root_cert_outcome::kind;
  if (end.status >= 200 && end.status < 300) {
    attempts_.erase(ns);
    return {kind::written, (creating ? "created " : "updated ") + where};
  }
  if (end.status == 404 || (end.status == 409 && creating)
      || (end.status == 403 && namespace_terminating(end))) {
    attempts_.erase(ns);
    return {kind::skipped, verb + where + " skipped: " + http_of(end)};
  }
  if (end.status == 403) {
    attempts_.erase(ns);
    return {kind::forbidden, "no permission: " + verb + where + ": " + http_of(end)};
  }
  return retry_or_give_up(ns, verb + where + " failed: " + http_of(end), now);
}

root_cert_outcome root_cert_publisher_core::retry_or_give_up(const std::string& ns, std::string why,
                                                             time_point now) {
  auto n = ++attempts_[ns];
  if (n >= retry_.max_attempts) {
    attempts_.erase(ns);
    return {root_cert_outcome::kind::gave_up,
            why + " (" + std::to_string(n) + " attempts; waiting for the next change)"};
  }
  auto delay = retry_.initial_backoff;
  for (int i = 1; i < n && delay < retry_.max_backoff; ++i)
    delay *= 2;
  delay = std::min(delay, retry_.max_backoff);
  // The retry honours its backoff even when an event queued the namespace meanwhile.
  if (queued_.erase(ns) > 0)
    queue_.erase(std::remove(queue_.begin(), queue_.end(), ns), queue_.end());
  waiting_[ns] = now + delay;
  return {root_cert_outcome::kind::retrying,
          why + " (retrying in " + std::to_string(delay.count()) + "ms)"};
}

std::optional<root_cert_publisher_core::time_point> root_cert_publisher_core::wake_at() const {
  std::optional<time_point> out;
  for (const auto& [_, due] : waiting_)
    if (!out || due < *out)
      out = due;
  return out;
}

} // namespace ambient::fleet
