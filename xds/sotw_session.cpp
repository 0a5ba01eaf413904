#include "xds/sotw_session.hpp"

#include <algorithm>
#include <stdexcept>

namespace ambient::xds {

request_outcome sotw_session::on_request(const sotw_request& r) {
  request_outcome out;
  if (!begin_request(r, out))
    return out;
  if (!initialized_) {
    initialized_ = true;
    out.kind = request_kind::initial;
    legacy_active_ = legacy_wildcard_ && r.resource_names.empty();
    wildcard_ = legacy_active_;
    set_names(r.resource_names);
    out.subscription_changed = true;
    reply_owed_ = true;
    return out;
  }
  if (acks_.has_sent() && r.response_nonce != acks_.stats().last_sent_nonce) {
    // Not an answer to the latest response: its subscription is outdated too.
    if (out.kind != request_kind::stale)
      acks_.note_stale();
    out.kind = request_kind::stale;
    return out;
  }
  if (out.kind == request_kind::ack)
    acked_version_ = r.version_info;
  out.subscription_changed = set_names(r.resource_names);
  if (out.subscription_changed)
    reply_owed_ = true;
  return out;
}

bool sotw_session::set_names(const std::vector<std::string>& names) {
  if (legacy_active_ && names.empty())
    return false; // still the legacy wildcard
  legacy_active_ = false;
  bool next_wildcard = false;
  std::set<std::string> next;
  for (const auto& n : names) {
    if (n == "*")
      next_wildcard = true;
    else
      next.insert(n);
  }
  bool changed = next_wildcard != wildcard_ || next != subscribed_;
  wildcard_ = next_wildcard;
  subscribed_ = std::move(next);
  return changed;
}

std::optional<sotw_response> sotw_session::next_response(const resource_table& table) {
  if (!initialized_)
    return std::nullopt;
  if (table.type_url() != type_url_)
    throw std::logic_error("sotw_session " + type_url_ + " given the table of " + table.type_url());
  bool relevant = reply_owed_;
  if (!relevant && table.version() != synced_version_) {
    const auto& changes = table.changes_after(synced_version_);
    relevant = changes.full_resync || wildcard_
               || std::any_of(changes.names.begin(), changes.names.end(),
                              [this](const std::string& n) { return subscribed_.contains(n); });
  }
  synced_version_ = table.version();
  if (!relevant)
    return std::nullopt;
  std::vector<entry_ptr> resources;
  if (wildcard_) {
    for (const auto& [name, entry] : table.entries())
      resources.push_back(entry);
  } else {
    for (const auto& name : subscribed_)
      if (auto entry = table.find(name))
        resources.push_back(entry);
  }
  std::map<std::string, std::string> versions;
  for (const auto& e : resources)
    versions.emplace(e->name, e->version);
  if (!reply_owed_ && versions == sent_)
    return std::nullopt; // what changed was undone before this response
  reply_owed_ = false;
  sent_ = std::move(versions);
  sotw_response out;
  out.resources = std::move(resources);
  out.version_info = table.version_string(table.version());
  out.nonce = acks_.next_nonce();
  return out;
}

} // namespace ambient::xds
