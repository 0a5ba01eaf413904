#include "mesh/workload_policies.hpp"

#include <algorithm>
#include <initializer_list>
#include <set>

#include "mesh/peer_authentication.hpp"

namespace ambient::mesh {

namespace {

/// Inserts `pa` into `list`, keeping it oldest first.
void insert_by_age(std::vector<peer_authentication>& list, const peer_authentication& pa) {
  auto at = std::upper_bound(list.begin(), list.end(), pa,
                             [](const auto& a, const auto& b) { return older(a, b); });
  list.insert(at, pa);
}

/// The older of two candidates, either maybe nullptr.
const peer_authentication* oldest_of(const peer_authentication* a, const peer_authentication* b) {
  if (a == nullptr)
    return b;
  if (b == nullptr)
    return a;
  return older(*b, *a) ? b : a;
}

const peer_authentication* front(const std::vector<peer_authentication>& list) {
  return list.empty() ? nullptr : &list.front();
}

bool any_port(const peer_authentication& pa, std::initializer_list<mtls_mode> modes) {
  return std::any_of(pa.port_level_mtls.begin(), pa.port_level_mtls.end(), [&](const auto& p) {
    return std::find(modes.begin(), modes.end(), p.second) != modes.end();
  });
}

} // namespace

bool is_subset(const kube::string_map& selector, const kube::string_map& labels) {
  return std::all_of(selector.begin(), selector.end(), [&](const auto& kv) {
    auto v = kube::lookup(labels, kv.first);
    return v && *v == kv.second;
  });
}

policy_index::policy_index(std::string root_namespace) : root_(std::move(root_namespace)) {}

void policy_index::add_authorization_policy(const authorization_policy& ap, bool converted) {
  // An empty selector gives WORKLOAD_SELECTOR scope but a nil label selector in istiod, which
  // buildWorkloadPolicies never lists.
  if (!converted || !ap.selector || ap.selector->empty())
    return;
  auto& list = policies_[ap.meta.namespace_];
  selector_policy p{ap.meta.namespace_ + "/" + ap.meta.name, *ap.selector};
  auto at = std::upper_bound(list.begin(), list.end(), p,
                             [](const auto& a, const auto& b) { return a.key < b.key; });
  list.insert(at, std::move(p));
}

void policy_index::add_peer_authentication(const peer_authentication& pa) {
  auto& ns = pas_[pa.meta.namespace_];
  if (!pa.selector)
    insert_by_age(ns.no_selector, pa);
  else if (pa.selector->empty())
    insert_by_age(ns.empty_selector, pa);
  else
    insert_by_age(ns.with_selector, pa);
}

std::vector<std::string>
policy_index::peer_authentication_keys(std::string_view ns, const kube::string_map& labels) const {
  // The levels of fetchPeerAuthentications + convertedSelectorPeerAuthentications: `selector: {}`
  // counts as namespace-level (or mesh-level in the root namespace), and root-namespace policies
  // with a selector never count.
  const peer_authentication* mesh_pa = nullptr;
  const peer_authentication* ns_pa = nullptr;
  const peer_authentication* workload_pa = nullptr;
  auto root = pas_.find(root_);
  if (root != pas_.end())
    mesh_pa = front(root->second.no_selector);
  if (ns == root_) {
    if (root != pas_.end())
      mesh_pa = oldest_of(mesh_pa, front(root->second.empty_selector));
  } else if (auto here = pas_.find(ns); here != pas_.end()) {
    ns_pa = oldest_of(front(here->second.no_selector), front(here->second.empty_selector));
    for (const auto& pa : here->second.with_selector)
      if (is_subset(*pa.selector, labels)) {
        workload_pa = &pa;
        break;
      }
  }

  bool strict = mesh_pa != nullptr && mesh_pa->mode == mtls_mode::strict;
  if (ns_pa != nullptr && ns_pa->mode != mtls_mode::unset)
    strict = ns_pa->mode == mtls_mode::strict;
  std::string port_key;
  if (workload_pa != nullptr) {
    const auto& w = *workload_pa;
    const auto key = w.meta.namespace_ + "/" + converted_peer_authentication_name(w.meta.name);
    if (w.mode == mtls_mode::strict)
      strict = true;
    else if (w.mode != mtls_mode::unset)
      strict = false;
    if (w.mode == mtls_mode::strict) {
      if (any_port(w, {mtls_mode::permissive, mtls_mode::disable})) {
        port_key = key;
        strict = false; // the converted policy carries the STRICT default
      }
    } else if (w.mode != mtls_mode::unset) {
      if (any_port(w, {mtls_mode::strict}))
        port_key = key;
    } else if (strict) {
      // Only PERMISSIVE ports count here, not DISABLE (authorization.go:176-181).
      if (any_port(w, {mtls_mode::permissive})) {
        port_key = key;
        strict = false;
      }
    } else if (any_port(w, {mtls_mode::strict})) {
      port_key = key;
    }
  }
  std::set<std::string> keys;
  if (strict)
    keys.insert(root_ + "/" + std::string{static_strict_policy_name});
  if (!port_key.empty())
    keys.insert(port_key);
  return {keys.begin(), keys.end()};
}

std::vector<std::string> policy_index::workload_policies(std::string_view ns,
                                                         const kube::string_map& labels) const {
  std::vector<std::string> out;
  auto collect = [&](std::string_view from) {
    if (auto i = policies_.find(from); i != policies_.end())
      for (const auto& p : i->second)
        if (is_subset(p.selector, labels))
          out.push_back(p.key);
  };
  collect(ns);
  if (ns != root_)
    collect(root_);
  std::sort(out.begin(), out.end());
  auto pa_keys = peer_authentication_keys(ns, labels);
  out.insert(out.end(), pa_keys.begin(), pa_keys.end());
  return out;
}

} // namespace ambient::mesh
