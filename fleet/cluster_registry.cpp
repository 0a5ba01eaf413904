#include "fleet/cluster_registry.hpp"

#include <algorithm>
#include <set>

namespace ambient::fleet {

std::vector<remote_kubeconfig> read_remote_secret(const kube::secret& s) {
  std::vector<remote_kubeconfig> out;
  out.reserve(s.data.size());
  for (const auto& [key, value] : s.data)
    out.push_back({key, value, sha256_hex(value)});
  return out;
}

const char* to_string(lifecycle s) {
  switch (s) {
    case lifecycle::pending:
      return "pending";
    case lifecycle::syncing:
      return "syncing";
    case lifecycle::synced:
      return "synced";
    case lifecycle::stale:
      return "stale";
    case lifecycle::failed:
      return "failed";
    case lifecycle::timeout:
      return "timeout";
  }
  return "unknown";
}

cluster_registry::cluster_registry(std::string config_cluster_id, kube::kubeconfig_policy policy,
                                   kube::backoff::params restart_backoff)
  : config_cluster_id_(std::move(config_cluster_id)), policy_(std::move(policy)),
    backoff_params_(restart_backoff) {
  // nop
}

void cluster_registry::admit(const std::string& secret_key, const remote_kubeconfig& e,
                             registry_effects& out) {
  auto& rec = clusters_[e.cluster_id];
  if (rec.generation != 0 && rec.config)
    out.push_back(stop_cluster{e.cluster_id, rec.generation}); // only a running one has an actor
  rec.cluster_id = e.cluster_id;
  rec.secret = secret_key;
  rec.sha256 = e.sha256;
  rec.generation = next_generation_++;
  rec.last_error.clear();
  backoffs_.erase(e.cluster_id);
  // Store first, then run: a refused kubeconfig leaves a failed entry for the next update.
  auto parsed = kube::parse_kubeconfig(e.kubeconfig, e.cluster_id, policy_);
  if (auto* err = std::get_if<kube::kubeconfig_error>(&parsed)) {
    rec.state = lifecycle::failed;
    rec.last_error = err->message;
    rec.config.reset();
    out.push_back(notice{true, "secret " + secret_key + ": " + err->message});
    return;
  }
  rec.state = lifecycle::pending;
  rec.config = std::get<kube::rest_config>(std::move(parsed));
  out.push_back(start_cluster{e.cluster_id, rec.generation, *rec.config});
}

void cluster_registry::release(const std::string& cluster_id, registry_effects& out) {
  auto it = clusters_.find(cluster_id);
  if (it == clusters_.end())
    return;
  if (it->second.generation != 0 && it->second.config)
    out.push_back(stop_cluster{cluster_id, it->second.generation});
  out.push_back(withdraw_cluster{cluster_id, it->second.generation});
  auto owner = it->second.secret;
  clusters_.erase(it);
  backoffs_.erase(cluster_id);
  std::erase_if(conflicts_, [&](const cluster_conflict& c) { return c.cluster_id == cluster_id; });
  // The next secret that claimed this ID takes it over.
  auto w = waiting_claims_.find(cluster_id);
  if (w == waiting_claims_.end() || w->second.empty())
    return;
  auto next = w->second.front();
  w->second.erase(w->second.begin());
  for (const auto& rest : w->second)
    conflicts_.push_back({cluster_id, next.secret, rest.secret});
  if (w->second.empty())
    waiting_claims_.erase(w);
  out.push_back(notice{false, "cluster " + cluster_id + " released by " + owner + ", now owned by "
                                  + next.secret});
  admit(next.secret, next.entry, out);
}

registry_effects cluster_registry::add_config_cluster(kube::rest_config config) {
  auto& rec = clusters_[config_cluster_id_];
  if (rec.generation != 0 && rec.config)
    return {}; // added once; it lives as long as the process
  rec.cluster_id = config_cluster_id_;
  rec.generation = next_generation_++;
  rec.state = lifecycle::pending;
  rec.config = std::move(config);
  return {start_cluster{config_cluster_id_, rec.generation, *rec.config}};
}

registry_effects cluster_registry::on_secret(const std::string& secret_key,
                                             const std::vector<remote_kubeconfig>& entries) {
  registry_effects out;
  std::set<std::string> in_secret;
  for (const auto& e : entries) {
    in_secret.insert(e.cluster_id);
    if (e.cluster_id == config_cluster_id_) {
      out.push_back(notice{true, "secret " + secret_key + ": cluster " + e.cluster_id
                                     + " is the config cluster; ignored"});
      continue;
    }
    auto it = clusters_.find(e.cluster_id);
    if (it != clusters_.end() && it->second.secret != secret_key) {
      auto& waiting = waiting_claims_[e.cluster_id];
      auto mine = std::find_if(waiting.begin(), waiting.end(),
                               [&](const claim& c) { return c.secret == secret_key; });
      if (mine == waiting.end()) {
        waiting.push_back({secret_key, e});
        conflicts_.push_back({e.cluster_id, it->second.secret, secret_key});
        out.push_back(notice{true, "secret " + secret_key + ": cluster " + e.cluster_id
                                       + " is already owned by secret " + it->second.secret
                                       + "; refused (first secret wins)"});
      } else {
        mine->entry = e; // keep the latest content for a later takeover
      }
      continue;
    }
    if (it != clusters_.end() && it->second.sha256 == e.sha256)
      continue; // identical kubeconfig: nothing to do
    admit(secret_key, e, out);
  }
  // Keys this secret no longer has: stop and withdraw (and drop its waiting claims).
  std::vector<std::string> gone;
  for (const auto& [id, rec] : clusters_)
    if (rec.secret == secret_key && !in_secret.contains(id))
      gone.push_back(id);
  for (const auto& id : gone)
    release(id, out);
  for (auto& [id, waiting] : waiting_claims_)
    if (!in_secret.contains(id)) {
      std::erase_if(waiting, [&](const claim& c) { return c.secret == secret_key; });
      const auto& cluster_id = id; // a lambda may not capture a structured binding in clang 14
      std::erase_if(conflicts_, [&](const cluster_conflict& c) {
        return c.cluster_id == cluster_id && c.claimant == secret_key;
      });
    }
  std::erase_if(waiting_claims_, [](const auto& kv) { return kv.second.empty(); });
  return out;
}

registry_effects cluster_registry::on_secret_deleted(const std::string& secret_key) {
  return on_secret(secret_key, {});
}

registry_effects cluster_registry::on_cluster_died(const std::string& cluster_id,
                                                   uint64_t generation, const std::string& error,
                                                   time_point now, double random01) {
  auto it = clusters_.find(cluster_id);
  if (it == clusters_.end() || it->second.generation != generation)
    return {}; // an old incarnation we stopped ourselves
  auto& rec = it->second;
  rec.state = lifecycle::failed;
  rec.last_error = error;
  ++rec.restarts;
  auto [b, inserted] = backoffs_.try_emplace(cluster_id, kube::backoff{backoff_params_});
  auto delay = b->second.next(now, random01);
  return {restart_later{cluster_id, generation, delay},
          notice{true, "cluster " + cluster_id + " died (" + error + "); restart "
                           + std::to_string(rec.restarts) + " in " + std::to_string(delay.count())
                           + " ms"}};
}

registry_effects cluster_registry::on_restart_due(const std::string& cluster_id,
                                                  uint64_t generation) {
  auto it = clusters_.find(cluster_id);
  if (it == clusters_.end() || it->second.generation != generation || !it->second.config)
    return {}; // replaced or removed meanwhile
  auto& rec = it->second;
  rec.generation = next_generation_++;
  rec.state = lifecycle::pending;
  return {start_cluster{cluster_id, rec.generation, *rec.config}};
}

void cluster_registry::on_state(const std::string& cluster_id, uint64_t generation, lifecycle state,
                                const std::string& error) {
  auto it = clusters_.find(cluster_id);
  if (it == clusters_.end() || it->second.generation != generation)
    return;
  it->second.state = state;
  if (!error.empty() || state == lifecycle::synced)
    it->second.last_error = error;
}

} // namespace ambient::fleet
