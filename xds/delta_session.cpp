#include "xds/delta_session.hpp"

#include <algorithm>
#include <iterator>
#include <stdexcept>

namespace ambient::xds {

namespace {

constexpr std::string_view wildcard_name = "*";

} // namespace

request_outcome delta_session::on_request(const delta_request& r) {
  request_outcome out;
  if (!begin_request(r, out))
    return out;
  bool first = !initialized_;
  if (first) {
    // A first request naming nothing is the legacy wildcard; it stays a wildcard when names
    // come later, until "*" is unsubscribed (envoy xds_protocol.rst, go-control-plane).
    initialized_ = true;
    out.kind = request_kind::initial;
    wildcard_ = legacy_wildcard_ && r.subscribe.empty();
    out.subscription_changed = wildcard_;
    sent_ = r.initial_resource_versions;
    node_name_ = r.node_name;
    full_eval_ = true;
    reply_owed_ = true;
  }
  for (const auto& name : r.subscribe)
    subscribe(name, first, out);
  for (const auto& name : r.unsubscribe)
    unsubscribe(name, out);
  if (first && !wildcard_)
    subscribe_initial(r, out);
  if (!r.subscribe.empty())
    reply_owed_ = true;
  return out;
}

void delta_session::subscribe(const std::string& name, bool first, request_outcome& out) {
  if (name == wildcard_name) {
    if (!wildcard_) {
      wildcard_ = true;
      full_eval_ = true;
      interest_dirty_ = true; // node-local workloads count only without the wildcard
      out.subscription_changed = true;
    }
    return;
  }
  if (subscribed_.insert(name).second) {
    out.subscription_changed = true;
    interest_dirty_ = true;
  }
  // Answer even what the client has (it may have forgotten it), except on the first request,
  // where initial_resource_versions says what it has.
  auto& force = must_answer_[name];
  force = force || !first;
  silent_drop_.erase(name);
}

void delta_session::subscribe_initial(const delta_request& r, request_outcome& out) {
  for (const auto& [name, version] : r.initial_resource_versions) {
    if (name == wildcard_name
        || std::find(r.unsubscribe.begin(), r.unsubscribe.end(), name) != r.unsubscribe.end())
      continue;
    if (subscribed_.insert(name).second) {
      out.subscription_changed = true;
      interest_dirty_ = true;
    }
  }
}

bool delta_session::answered_key(const std::string& name, const resource_table& table) const {
  return subscribed_.contains(name) && !table.resolve(name).empty();
}

void delta_session::unsubscribe(const std::string& name, request_outcome& out) {
  if (name == wildcard_name) {
    if (wildcard_) {
      wildcard_ = false;
      full_eval_ = true;
      interest_dirty_ = true; // node-local workloads count only without the wildcard
      out.subscription_changed = true;
    }
    return;
  }
  if (subscribed_.erase(name) == 0)
    return; // never subscribed: ignored
  out.subscription_changed = true;
  interest_dirty_ = true;
  if (wildcard_) {
    // Under a wildcard the client must learn whether the resource still exists for it.
    must_answer_[name] = true;
    return;
  }
  must_answer_.erase(name);
  silent_drop_.insert(name);
}

std::set<std::string> delta_session::resolve_interest(const resource_table& table) const {
  std::set<std::string> out;
  for (const auto& key : subscribed_)
    for (auto& name : table.resolve(key))
      out.insert(std::move(name));
  if (!wildcard_ && !node_name_.empty()) {
    const auto& local = table.workloads_on(node_name_);
    out.insert(local.begin(), local.end());
  }
  return out;
}

void delta_session::merge_full_wildcard(const resource_table& table,
                                        std::vector<entry_ptr>& resources,
                                        std::set<std::string>& removed) {
  std::map<std::string, std::string> next;
  auto t = table.entries().begin();
  auto te = table.entries().end();
  auto s = sent_.begin();
  while (t != te || s != sent_.end()) {
    int order = t == te ? 1 : s == sent_.end() ? -1 : t->first.compare(s->first);
    if (order > 0) { // the client has it, the table no longer does
      if (!silent_drop_.contains(s->first))
        removed.insert(s->first);
      ++s;
      continue;
    }
    const auto& entry = t->second;
    bool resend = order < 0 || s->second != entry->version || silent_drop_.contains(t->first);
    if (resend)
      resources.push_back(entry);
    if (order == 0) { // reuse the client's node: no new string for the name
      auto node = sent_.extract(s++);
      node.mapped() = entry->version;
      next.insert(next.end(), std::move(node));
    } else {
      next.emplace_hint(next.end(), t->first, entry->version);
    }
    ++t;
  }
  sent_ = std::move(next);
}

std::optional<delta_response> delta_session::next_response(const resource_table& table) {
  if (!initialized_)
    return std::nullopt;
  if (table.type_url() != type_url_)
    throw std::logic_error("delta_session " + type_url_ + " given the table of "
                           + table.type_url());
  bool full = full_eval_;
  bool table_moved = table.version() != synced_version_;
  std::set<std::string> candidates;
  std::set<std::string> removed;
  if (interest_dirty_ || table_moved) {
    auto next = resolve_interest(table);
    std::set_symmetric_difference(interest_.begin(), interest_.end(), next.begin(), next.end(),
                                  std::inserter(candidates, candidates.end()));
    interest_ = std::move(next);
  }
  if (!full && table_moved) {
    const auto& changes = table.changes_after(synced_version_);
    if (changes.full_resync)
      full = true;
    else
      candidates.insert(changes.names.begin(), changes.names.end());
  }
  for (const auto& [key, force] : must_answer_) {
    auto names = table.resolve(key);
    if (names.empty() && !sent_.contains(key))
      removed.insert(key); // the spec's answer for a name that does not exist
    if (names.empty())
      candidates.insert(key);
    for (const auto& name : names) {
      if (force)
        sent_.erase(name);
      candidates.insert(name);
    }
  }
  std::vector<entry_ptr> resources;
  if (full && wildcard_) {
    // Every name counts: one merge walk over the table and what the client has (both sorted),
    // instead of collecting every name into `candidates` (the first response of a wildcard
    // stream, and every resync).
    merge_full_wildcard(table, resources, removed);
    candidates.clear();
  } else {
    candidates.insert(silent_drop_.begin(), silent_drop_.end());
    if (full) {
      candidates.insert(interest_.begin(), interest_.end());
      for (const auto& [name, version] : sent_)
        candidates.insert(name);
    }
  }

  for (const auto& name : candidates) {
    auto entry = table.find(name);
    bool interested = entry && (wildcard_ || interest_.contains(name));
    auto known = sent_.find(name);
    if (interested) {
      // A name unsubscribed directly but still covered by another key is sent again.
      if (known == sent_.end() || known->second != entry->version || silent_drop_.contains(name)) {
        resources.push_back(entry);
        sent_.insert_or_assign(name, entry->version);
      }
      continue;
    }
    if (known == sent_.end())
      continue;
    sent_.erase(known);
    if (!silent_drop_.contains(name) && !(entry == nullptr && answered_key(name, table)))
      removed.insert(name);
  }

  must_answer_.clear();
  silent_drop_.clear();
  full_eval_ = false;
  interest_dirty_ = false;
  synced_version_ = table.version();
  if (resources.empty() && removed.empty() && !reply_owed_)
    return std::nullopt;
  reply_owed_ = false;
  delta_response out;
  out.resources = std::move(resources);
  out.removed.assign(removed.begin(), removed.end());
  out.nonce = acks_.next_nonce();
  out.system_version = table.version_string(table.version());
  out.with_aliases = !wildcard_;
  return out;
}

} // namespace ambient::xds
