#include "cmd/ambientd/process_tree.hpp"

#include <algorithm>
#include <random>

#include <caf/send.hpp>
#include <fmt/format.h>

#include "actors/ask.hpp"
#include "actors/ca_keeper.hpp"
#include "actors/cluster_store.hpp"
#include "actors/leader_elector.hpp"
#include "actors/readiness_aggregator.hpp"
#include "actors/root_cert_publisher.hpp"
#include "actors/secret_watcher.hpp"
#include "actors/status_writer.hpp"
#include "actors/token_reviewer.hpp"
#include "actors/xds_publisher.hpp"
#include "messages/type_ids.hpp"

namespace ambient::cmd {

void process_tree::spawn_serving(const tree_settings& s) {
  actors::xds_publisher_config pc;
  // Versions of this process's resources: a client's cache from before a restart never matches.
  pc.version_prefix = fmt::format("{:08x}-", std::random_device{}());
  pc.push_interval = s.opts->xds_push_interval;
  xds_publisher = system_.spawn(actors::xds_publisher_impl, pc);
  readiness_aggregator
      = system_.spawn(actors::readiness_aggregator_impl,
                      actors::readiness_aggregator_config{
                          std::make_shared<const mesh::mesh_config>(s.mesh), xds_publisher});
  watch_.watch("xds_publisher", xds_publisher);
  watch_.watch("readiness_aggregator", readiness_aggregator);
  actors::token_reviewer_config rc;
  rc.transport = s.transport;
  rc.config_cluster_id = s.opts->cluster_id;
  if (s.config_cluster)
    rc.config_cluster = s.config_cluster->settings;
  rc.audiences = s.opts->token_audiences;
  rc.trust_domain = s.mesh.trust_domain;
  token_reviewer = system_.spawn(actors::token_reviewer_impl, rc);
  watch_.watch("token_reviewer", token_reviewer);
}

void process_tree::spawn_clusters(const tree_settings& s) {
  const auto& opts = *s.opts;
  actors::cluster_store_config sc;
  sc.config_cluster_id = opts.cluster_id;
  sc.policy = s.policy;
  sc.transport = s.transport;
  sc.sync_timeout = opts.remote_sync_timeout;
  if (opts.stale_cluster_limit.count() > 0)
    sc.stale_limit = opts.stale_cluster_limit;
  sc.sink = readiness_aggregator;
  sc.token_reviewer = token_reviewer;
  if (s.config_cluster)
    sc.config_cluster = s.config_cluster->config;
  cluster_store = system_.spawn(actors::cluster_store_impl, sc);
  watch_.watch("cluster_store", cluster_store);
  if (!s.config_cluster)
    return;
  actors::secret_watcher_config wc;
  wc.transport = s.transport;
  wc.config_cluster_client = s.transport->add_client(s.config_cluster->settings);
  wc.config_cluster_id = opts.cluster_id;
  wc.system_namespace = opts.system_namespace;
  wc.label_selector = opts.remote_secret_selector;
  wc.cluster_store = cluster_store;
  secret_watcher = system_.spawn(actors::secret_watcher_impl, wc);
  watch_.watch("secret_watcher", secret_watcher);
  if (!s.ca_roots_pem.empty()) {
    actors::root_cert_publisher_config pc;
    pc.transport = s.transport;
    pc.client = s.transport->add_client(s.config_cluster->settings);
    pc.cluster_id = opts.cluster_id;
    pc.roots_pem = s.ca_roots_pem;
    pc.discovery_selectors = mesh::selectors_for(s.mesh, opts.cluster_id);
    root_cert_publisher = system_.spawn(actors::root_cert_publisher_impl, pc);
    watch_.watch("root_cert_publisher", root_cert_publisher);
  }
  if (!opts.leader_election) {
    if (root_cert_publisher) // the only replica: it leads
      caf::anon_send(root_cert_publisher,
                     messages::leadership{true, replica_identity(opts.identity)});
    return;
  }
  // The elector's own client: its requests time out well before the renew deadline, so a hung
  // renewal has ended by the time the deadline is checked.
  kube::client_limits limits;
  limits.request_timeout = opts.renew_deadline / 2;
  limits.connect_timeout = std::min(limits.connect_timeout, opts.renew_deadline / 2);
  auto client = s.transport->add_client(s.config_cluster->settings, limits);
  actors::status_writer_config wrc;
  wrc.transport = s.transport;
  wrc.client = client;
  wrc.namespace_ = opts.system_namespace;
  wrc.config_map = opts.status_configmap;
  wrc.cluster_store = cluster_store;
  status_writer = system_.spawn(actors::status_writer_impl, wrc);
  actors::leader_elector_config ec;
  ec.transport = s.transport;
  ec.client = client;
  ec.namespace_ = opts.system_namespace;
  ec.lease_name = opts.lease_name;
  ec.identity = replica_identity(opts.identity);
  ec.timing = {opts.lease_duration, opts.renew_deadline, opts.retry_period};
  ec.followers = {status_writer};
  if (root_cert_publisher)
    ec.followers.push_back(root_cert_publisher);
  leader_elector = system_.spawn(actors::leader_elector_impl, ec);
  watch_.watch("status_writer", status_writer);
  watch_.watch("leader_elector", leader_elector);
}

void process_tree::spawn_ca_keeper(const tree_settings& s, const ca_setup& ca) {
  const auto& opts = *s.opts;
  actors::ca_keeper_config kc;
  kc.core = ca.keeper;
  kc.signer = ca.signer;
  kc.interval = opts.ca_check_interval;
  if (ca.from == ca_setup::origin::plugged_in)
    kc.read_files = [dir = std::filesystem::path{opts.cacerts_dir}] {
      return read_cacerts(dir);
    };
  if (ca.from == ca_setup::origin::shared_secret && s.config_cluster) {
    kc.transport = s.transport;
    kc.client = s.transport->add_client(s.config_cluster->settings);
    kc.secret_namespace = opts.system_namespace;
    kc.secret_name = "istio-ca-secret";
  }
  if (root_cert_publisher)
    kc.roots_followers = {root_cert_publisher};
  if (ca.serving)
    kc.write_listener = [files = *ca.serving](const ca::keeper_step& step) {
      return write_listener_files(files, step);
    };
  ca_keeper = system_.spawn(actors::ca_keeper_impl, std::move(kc));
  watch_.watch("ca_keeper", ca_keeper);
}

void process_tree::stop_clusters() {
  watch_.stopping();
  if (leader_elector)
    actors::ask<caf::unit_t>(system_, leader_elector, std::chrono::seconds{3}, atom::release_v);
  for (const auto* a : {&leader_elector, &status_writer, &root_cert_publisher, &secret_watcher,
                        &cluster_store, &readiness_aggregator, &token_reviewer, &ca_keeper})
    if (*a)
      caf::anon_send_exit(*a, caf::exit_reason::user_shutdown);
}

void process_tree::stop_serving() {
  if (xds_publisher)
    caf::anon_send_exit(xds_publisher, caf::exit_reason::user_shutdown);
  system_.await_all_actors_done();
}

} // namespace ambient::cmd
