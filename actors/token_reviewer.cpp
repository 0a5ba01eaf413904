#include "actors/token_reviewer.hpp"

#include <caf/all.hpp>

#include "fleet/review_cluster.hpp"
#include "kube/jwt_peek.hpp"
#include "kube/token_review.hpp"
#include "messages/type_ids.hpp"
#include "xds/caller_credentials.hpp"
#include "xds/spiffe_id.hpp"

namespace ambient::actors {

namespace {

using clock_type = std::chrono::system_clock;

/// Counts one review outcome ("authenticated", "refused", "failed", "cached", "unknown_cluster",
/// "no_token", "timeout").
void count(token_reviewer_state& st, const std::string& result) {
  auto& c = st.results[result];
  if (c == nullptr)
    c = &st.cfg.metrics->add_counter(
        "ambientd_token_reviews_total",
        "Service-account token authentications of TLS callers without a client certificate, by "
        "result (cached: answered from the cache).",
        {{"result", result}});
  c->inc();
}

/// What a review result means to the caller.
xds::token_verdict verdict_of(const token_reviewer_state& st, const kube::review_result& r,
                              const std::string& cluster_id) {
  xds::token_verdict v;
  v.cluster_id = cluster_id;
  if (const auto* f = std::get_if<kube::review_failure>(&r)) {
    v.error = "token review by cluster " + cluster_id + " refused the token: " + f->message;
    if (!kube::is_verdict(f->code))
      v.error = "token review by cluster " + cluster_id + " failed: " + f->message;
    return v;
  }
  const auto& id = std::get<kube::token_identity>(r);
  v.spiffe_id = xds::spiffe_id{st.cfg.trust_domain, id.namespace_, id.service_account}.to_string();
  v.pod_name = id.pod_name;
  v.pod_uid = id.pod_uid;
  return v;
}

/// Calls back every released waiter with the result, counting it.
void release(token_reviewer_ptr self, const kube::token_review_cache::release& r,
             const std::string& cluster_id) {
  auto& st = self->state;
  auto verdict = verdict_of(st, r.result, cluster_id);
  count(st, std::holds_alternative<kube::token_identity>(r.result)            ? "authenticated"
            : kube::is_verdict(std::get<kube::review_failure>(r.result).code) ? "refused"
                                                                              : "failed");
  for (auto w : r.waiters) {
    auto it = st.waiters.find(w);
    if (it == st.waiters.end())
      continue;
    auto done = std::move(it->second.done);
    st.waiters.erase(it);
    done(verdict);
  }
}

/// The remote cluster IDs that can review tokens now.
std::vector<std::string> remote_ids(const token_reviewer_state& st) {
  std::vector<std::string> out;
  for (const auto& [id, c] : st.clusters)
    if (id != st.cfg.config_cluster_id)
      out.push_back(id);
  return out;
}

/// Handles one caller: refuses it at once, answers from the cache, or joins (or starts) a review.
void ask(token_reviewer_ptr self, messages::token_review_ask& a) {
  auto& st = self->state;
  xds::metadata_view md;
  for (const auto& v : a.creds.authorization)
    md.emplace_back("authorization", v);
  for (const auto& v : a.creds.cluster_ids)
    md.emplace_back("clusterid", v);
  auto token = xds::bearer_token(md);
  if (const auto* e = std::get_if<xds::credentials_error>(&token)) {
    count(st, "no_token");
    return a.done({e->message, {}, {}, {}, {}});
  }
  auto chosen = fleet::choose_review_cluster(xds::cluster_id(md).id, st.cfg.config_cluster_id, {},
                                             remote_ids(st));
  if (const auto* u = std::get_if<fleet::unknown_cluster>(&chosen)) {
    count(st, "unknown_cluster");
    return a.done({u->message, {}, {}, {}, {}});
  }
  const auto& cluster_id = std::get<std::string>(chosen);
  auto client = st.clusters.find(cluster_id);
  if (client == st.clusters.end()) { // the config cluster when ambientd has no kube access
    count(st, "unknown_cluster");
    return a.done({"cluster " + cluster_id
                       + " cannot review tokens: ambientd has no access to "
                         "its API server",
                   {},
                   {},
                   {},
                   {}});
  }
  auto tok = std::get<std::string_view>(token);
  auto key = kube::make_review_key(tok, cluster_id, st.cfg.audiences);
  auto now = clock_type::now();
  if (auto hit = st.cache.lookup(key, now)) {
    count(st, "cached");
    return a.done(verdict_of(st, *hit, cluster_id));
  }
  auto waiter = st.next_waiter++;
  st.waiters.emplace(waiter, token_reviewer_state::waiter_entry{key, std::move(a.done)});
  self->delayed_send(self, st.cfg.deadline, atom::timer_v, waiter);
  if (st.cache.begin(key, waiter) != kube::token_review_cache::begin_outcome::start_review)
    return;
  review_flight flight{key, std::nullopt};
  auto claims = kube::peek_jwt_claims(tok);
  if (auto* c = std::get_if<kube::jwt_claims>(&claims); c && c->exp)
    flight.expiry = clock_type::time_point{std::chrono::seconds{*c->exp}};
  auto ticket = st.next_ticket++;
  st.flights.emplace(ticket, std::move(flight));
  auto owner = caf::actor_cast<caf::actor>(self);
  st.cfg.transport->start(client->second.client, "POST", std::string{kube::token_review_path},
                          kube::token_review_body(tok, st.cfg.audiences), {},
                          [owner, ticket](kube::response_end end) {
                            caf::anon_send(owner, messages::api_response{ticket, std::move(end)});
                          });
}

/// A review answered: the verdict, or why there is none.
void answered(token_reviewer_ptr self, const messages::api_response& r) {
  auto& st = self->state;
  auto it = st.flights.find(r.ticket);
  if (it == st.flights.end())
    return;
  auto flight = std::move(it->second);
  st.flights.erase(it);
  const auto& cluster_id = flight.key.cluster_id;
  if (r.end.status == 0 || r.end.status >= 300) {
    auto why = r.end.status == 0 ? r.end.error
                                 : "HTTP " + std::to_string(r.end.status) + " from the API server";
    st.log->warn("token review by cluster {} failed: {}", cluster_id, why);
    return release(self, st.cache.fail_all(flight.key, why), cluster_id);
  }
  auto result = kube::parse_token_review(r.end.body);
  release(self, st.cache.complete(flight.key, std::move(result), clock_type::now(), flight.expiry),
          cluster_id);
}

} // namespace

token_reviewer_state::~token_reviewer_state() {
  if (cfg.transport)
    for (const auto& [id, c] : clusters)
      cfg.transport->remove_client(c.client);
}

caf::behavior token_reviewer_impl(token_reviewer_ptr self, token_reviewer_config cfg) {
  auto& init = self->state;
  init.cfg = std::move(cfg);
  init.cache = kube::token_review_cache{init.cfg.cache};
  init.log = telemetry::make_logger("token_reviewer");
  if (init.cfg.config_cluster)
    init.clusters[init.cfg.config_cluster_id]
        = {0, init.cfg.transport->add_client(*init.cfg.config_cluster, init.cfg.limits)};
  return {
      [=](messages::token_review_ask& a) { ask(self, a); },
      [=](const messages::api_response& r) { answered(self, r); },
      [=](atom::timer, uint64_t waiter) {
        // This caller waited long enough; its review goes on for the ones that come next.
        auto& st = self->state;
        auto it = st.waiters.find(waiter);
        if (it == st.waiters.end())
          return;
        auto entry = std::move(it->second);
        st.waiters.erase(it);
        st.cache.leave(entry.key, waiter);
        count(st, "timeout");
        auto why = "token review by cluster " + entry.key.cluster_id
                   + " failed: the API server did not answer within "
                   + std::to_string(st.cfg.deadline.count()) + "ms";
        st.log->warn("{}", why);
        entry.done({why, {}, {}, {}, {}});
      },
      [=](messages::review_cluster_up& up) {
        auto& st = self->state;
        if (up.cluster_id == st.cfg.config_cluster_id)
          return; // the config cluster has its own client
        auto& c = st.clusters[up.cluster_id];
        if (c.client != 0)
          st.cfg.transport->remove_client(c.client);
        c = {up.generation, st.cfg.transport->add_client(std::move(up.settings), st.cfg.limits)};
      },
      [=](const messages::review_cluster_down& down) {
        auto& st = self->state;
        auto it = st.clusters.find(down.cluster_id);
        if (it == st.clusters.end() || down.cluster_id == st.cfg.config_cluster_id
            || it->second.generation != down.generation)
          return;
        st.cfg.transport->remove_client(it->second.client);
        st.clusters.erase(it);
      },
  };
}

} // namespace ambient::actors
