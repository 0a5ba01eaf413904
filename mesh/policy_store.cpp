#include "mesh/policy_store.hpp"

#include <utility>

#include "mesh/authorization_policy.hpp"
#include "mesh/peer_authentication.hpp"

namespace ambient::mesh {

namespace {

constexpr std::string_view revision_label = "istio.io/rev";

} // namespace

authorization_ptr make_authorization(istio::security::Authorization a) {
  auto r = std::make_shared<authorization_resource>();
  r->name = a.namespace_() + "/" + a.name();
  r->authorization = std::move(a);
  // No maps in the message: its serialization is deterministic as it is.
  r->authorization.SerializeToString(&r->bytes);
  return r;
}

policy_store::policy_store(std::string cluster_id, std::string root_namespace, std::string revision)
  : cluster_id_(std::move(cluster_id)), root_(std::move(root_namespace)),
    revision_(std::move(revision)), index_(std::make_shared<policy_index>(root_)) {
  // nop
}

bool policy_store::in_revision(const kube::string_map& labels) const {
  if (revision_.empty())
    return true;
  auto rev = kube::lookup(labels, revision_label);
  return !rev || *rev == revision_;
}

void policy_store::touch(const std::string& ns) {
  changed_ = true;
  if (ns == root_)
    dirty_all_ = true;
  else
    dirty_namespaces_.insert(ns);
}

void policy_store::touch_policy(const std::string& ns, const authorization_policy* before,
                                const authorization_policy* after) {
  changed_ = true;
  if (ns != root_) {
    dirty_namespaces_.insert(ns);
    return;
  }
  // Workloads list only policies with a non-empty selector (policy_index): a root-namespace
  // policy's list entries can move only on the workloads its old or new selector picks.
  for (const auto* ap : {before, after})
    if (ap != nullptr && ap->selector && !ap->selector->empty())
      dirty_selectors_.push_back(*ap->selector);
}

void policy_store::upsert(const authorization_policy& ap) {
  auto key = kube::object_key(ap.meta);
  if (!in_revision(ap.meta.labels)) {
    remove(kube::resource_kind::authorization_policies, key);
    return;
  }
  auto [it, inserted] = aps_.try_emplace(key);
  if (!inserted && it->second.policy == ap)
    return; // a resync
  if (!inserted)
    touch_policy(ap.meta.namespace_, &it->second.policy, nullptr);
  it->second.policy = ap;
  auto converted = convert_authorization_policy(ap, root_);
  it->second.resource
      = converted.authorization ? make_authorization(std::move(*converted.authorization)) : nullptr;
  if (converted.status)
    skips_.add(converted.authorization ? skip_reason::policy_fields_dropped
                                       : skip_reason::policy_not_enforced,
               cluster_id_, "AuthorizationPolicy " + key, converted.status->message);
  touch_policy(ap.meta.namespace_, nullptr, &ap);
}

void policy_store::upsert(const peer_authentication& pa) {
  auto key = kube::object_key(pa.meta);
  if (!in_revision(pa.meta.labels)) {
    remove(kube::resource_kind::peer_authentications, key);
    return;
  }
  auto [it, inserted] = pas_.try_emplace(key, pa);
  if (!inserted) {
    if (it->second == pa)
      return;
    it->second = pa;
  }
  touch(pa.meta.namespace_);
}

void policy_store::remove(kube::resource_kind kind, const std::string& key) {
  if (kind == kube::resource_kind::authorization_policies) {
    if (auto it = aps_.find(key); it != aps_.end()) {
      touch_policy(it->second.policy.meta.namespace_, &it->second.policy, nullptr);
      aps_.erase(it);
    }
  } else if (kind == kube::resource_kind::peer_authentications && pas_.erase(key) > 0) {
    touch(kube::namespace_of_key(key));
  }
}

void policy_store::mark_namespace(const std::string& ns) {
  touch(ns);
}

policy_update policy_store::take(const std::function<bool(const std::string&)>& admits) {
  policy_update out;
  if (!dirty())
    return out;
  out.all = dirty_all_;
  out.namespaces = std::move(dirty_namespaces_);
  out.selectors = std::move(dirty_selectors_);
  dirty_namespaces_.clear();
  dirty_selectors_.clear();
  dirty_all_ = false;
  changed_ = false;
  // Rebuilt whole: a map walk and a copy of each admitted selector, next to the conversions
  // already done on upsert. PeerAuthentications are merged as a set (the oldest of a level wins).
  auto index = std::make_shared<policy_index>(root_);
  std::map<std::string, authorization_ptr> next;
  for (const auto& [key, rec] : aps_) {
    if (!admits(rec.policy.meta.namespace_))
      continue;
    index->add_authorization_policy(rec.policy, rec.resource != nullptr);
    if (rec.resource)
      next.emplace(rec.resource->name, rec.resource);
  }
  std::vector<peer_authentication> pas;
  for (const auto& [key, pa] : pas_)
    if (admits(pa.meta.namespace_)) {
      index->add_peer_authentication(pa);
      pas.push_back(pa);
    }
  for (auto& a : peer_authentication_resources(pas, root_)) {
    auto r = make_authorization(std::move(a));
    // An unchanged converted PeerAuthentication keeps its resource (and its bytes' identity).
    if (auto old = resources_.find(r->name);
        old != resources_.end() && old->second->bytes == r->bytes)
      r = old->second;
    next.insert_or_assign(r->name, std::move(r));
  }
  resources_ = std::move(next);
  index_ = std::move(index);
  return out;
}

} // namespace ambient::mesh
