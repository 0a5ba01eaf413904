#pragma once

#include <memory>
#include <optional>

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>

#include "actors/top_level.hpp"
#include "cmd/ambientd/ca_setup.hpp"
#include "cmd/ambientd/options.hpp"
#include "cmd/ambientd/startup_config.hpp"

namespace ambient::cmd {

/// ambientd's actor tree (docs/architecture.md), one handle per role, each watched as a top-level
/// actor: a death ends the process. Built in two halves, because the xDS listeners start between
/// them: they need the publisher, and clusters should not sync into a process that cannot serve.
class process_tree {
public:
  process_tree(caf::actor_system& system, actors::top_level_watch& watch)
    : system_(system), watch_(watch) {
    // nop
  }

  /// The serving half: the xDS publisher, the readiness aggregator that feeds it, and the token
  /// reviewer that authenticates TLS callers without a client certificate.
  void spawn_serving(const tree_settings& s);

  /// The cluster half: ClusterStore (its sink is the aggregator); with a config cluster the
  /// secret watcher and, when the CA is on, the root cert publisher; with leader election, the
  /// leader elector and the status writer and root cert publisher it leads (without, the
  /// publisher leads from the start).
  void spawn_clusters(const tree_settings& s);

  /// The CA keeper of the built-in CA `ca` (after spawn_clusters: it tells the root publisher of
  /// new roots): it reads the plugged-in files, or the config cluster's istio-ca-secret, again
  /// every --ca-check-interval.
  void spawn_ca_keeper(const tree_settings& s, const ca_setup& ca);

  /// Stops every actor but the publisher, the leader elector first (it gives the lease up, so
  /// another replica leads at its next try instead of after expiry). Deaths from now on are
  /// expected.
  void stop_clusters();

  /// Stops the publisher (after the xDS listeners, whose streams it answers) and waits for every
  /// actor to end.
  void stop_serving();

  caf::actor xds_publisher, readiness_aggregator, token_reviewer, cluster_store, secret_watcher,
      leader_elector, status_writer, root_cert_publisher, ca_keeper;

private:
  caf::actor_system& system_;
  actors::top_level_watch& watch_;
};

} // namespace ambient::cmd
