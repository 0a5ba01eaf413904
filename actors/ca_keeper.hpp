#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <caf/event_based_actor.hpp>
#include <caf/stateful_actor.hpp>

#include "actors/instrumented.hpp"
#include "actors/request_slot.hpp"
#include "ca/ca_keeper_core.hpp"
#include "ca/signer.hpp"
#include "kube/transport.hpp"
#include "telemetry/log.hpp"
#include "telemetry/metrics.hpp"

namespace ambient::actors {

/// Where the CA's material is read again from, and where its results go.
struct ca_keeper_config {
  /// The decisions, seeded with the material the signer was set up with.
  std::shared_ptr<ca::ca_keeper_core> core;
  /// The signer CreateCertificate uses: gets every new bundle.
  std::shared_ptr<ca::signer> signer;
  /// Reads the plugged-in CA directory again; empty when the material is not in files. A string
  /// says why the files could not be read.
  std::function<std::variant<std::map<std::string, std::string>, std::string>()> read_files;
  /// The config cluster, to read Secret `secret_namespace/secret_name` again (istio-ca-secret);
  /// null when the material is not in a Secret.
  std::shared_ptr<kube::transport> transport;
  kube::transport::client_id client = 0;
  std::string secret_namespace, secret_name;
  /// Writes the TLS listener's new certificate and key, or its new CA bundle (a step's `serving`
  /// and `listener_roots`); returns "" or why not.
  std::function<std::string(const ca::keeper_step&)> write_listener;
  /// Told of new roots (messages::ca_roots): the root publisher.
  std::vector<caf::actor> roots_followers;
  /// How often the material is read again and the listener's certificate checked.
  std::chrono::milliseconds interval{10'000};
};

/// The CA keeper's state: the configuration, the Secret read in flight, and the CA gauges.
struct ca_keeper_state {
  static inline const char* name = "ca_keeper";

  ca_keeper_config cfg;
  std::optional<request_slot> api;
  std::shared_ptr<spdlog::logger> log;
  telemetry::gauge* root_expiry = nullptr;  ///< citadel_server_root_cert_expiry_timestamp
  telemetry::gauge* chain_expiry = nullptr; ///< citadel_server_cert_chain_expiry_timestamp
};

using ca_keeper_ptr = instrumented_actor<ca_keeper_state>*;

/// Keeps the built-in CA current while ambientd runs (the shell of ca::ca_keeper_core): every
/// interval it reads the plugged-in files or the Secret again, installs a rotated bundle in the
/// signer, rewrites the TLS listener's files (gRPC's file watcher serves them to new
/// connections), tells the root publisher of new roots, and renews the listener's certificate at
/// half life. Material that does not load is logged and counted; the bundle in use stays.
caf::behavior ca_keeper_impl(ca_keeper_ptr self, ca_keeper_config cfg);

} // namespace ambient::actors
