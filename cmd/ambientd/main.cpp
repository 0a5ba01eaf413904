// ambientd: flags, start-up and shutdown. The actor tree is cmd/ambientd/process_tree, what is
// read before it starts cmd/ambientd/startup_config, the listeners xds_listeners and
// admin_routes.

#include <malloc.h>

#include <memory>
#include <optional>
#include <string>
#include <variant>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scheduler/abstract_coordinator.hpp>

#include "actors/top_level.hpp"
#include "cmd/ambientd/admin_routes.hpp"
#include "cmd/ambientd/demo.hpp"
#include "cmd/ambientd/options.hpp"
#include "cmd/ambientd/process_tree.hpp"
#include "cmd/ambientd/signals.hpp"
#include "cmd/ambientd/startup_config.hpp"
#include "cmd/ambientd/xds_listeners.hpp"
#include "cmd/version.hpp"
#include "messages/registration.hpp"
#include "messages/type_ids.hpp"
#include "telemetry/log.hpp"
#include "telemetry/metrics.hpp"
#include "xds/grpc_lifetime.hpp"

namespace {

using namespace ambient;

/// CAF with ambientd's message types, and idle workers that wait on a condition variable at once
/// instead of polling (an idle ambientd burnt ~1 % of a core per remote cluster in bench/run
/// mc-scale: every timer or watch event woke the workers into CAF's 25 ms poll again).
caf::actor_system_config& system_config(caf::actor_system_config& cfg) {
  messages::register_types(cfg);
  cfg.set("work-stealing.moderate-poll-attempts", size_t{0});
  cfg.set("work-stealing.relaxed-sleep-duration", caf::timespan{std::chrono::milliseconds{100}});
  return cfg;
}

} // namespace

int main(int argc, char** argv) {
  // Two malloc arenas, not eight per core: CAF workers, gRPC and the transport all allocate, and
  // glibc's per-thread arenas each kept their own peak (bench/run mc-scale: 67 → 38 MiB RSS for
  // the first remote cluster of 4,000 pods).
  ::mallopt(M_ARENA_MAX, 2);
  auto parsed = cmd::parse_ambientd_flags(argc, argv);
  if (auto done = cmd::answer_without_running(parsed))
    return *done;
  auto opts = parsed.options;
  telemetry::configure_logging(parsed.log);
  auto log = telemetry::make_logger("ambientd");
  cmd::signal_waiter signals;
  std::unique_ptr<cmd::demo_run> demo;
  if (opts.demo && !(demo = cmd::start_demo(opts, *log)))
    return 1;
  telemetry::default_registry()
      .add_gauge("ambientd_build_info", "1, labelled with the running version",
                 {{"version", cmd::version_string}})
      .set(1);
  auto read = cmd::read_tree_settings(
      opts, std::get<kube::kubeconfig_policy>(std::move(parsed.policy_or_error)));
  if (auto* err = std::get_if<std::string>(&read)) {
    log->critical("{}", *err);
    return 2;
  }
  auto& settings = std::get<cmd::tree_settings>(read);
  // The built-in CA before the listeners: it may issue the TLS listener's own certificate.
  std::optional<cmd::ca_setup> ca;
  if (opts.ca == "builtin" && !opts.xds_tls_address.empty()) {
    std::optional<cmd::shared_root_store> store;
    if (settings.config_cluster)
      store = cmd::shared_root_store{settings.transport.get(), settings.config_cluster->settings};
    auto made = cmd::setup_ca(opts, settings.mesh.trust_domain, store);
    if (auto* err = std::get_if<std::string>(&made)) {
      log->critical("{}", *err);
      return 2;
    }
    ca = std::move(std::get<cmd::ca_setup>(made));
    settings.ca_roots_pem = ca->signer->bundle()->roots_pem;
    log->info("Istio CA: {}{}", ca->source,
              ca->serving ? "; it issued the TLS listener's certificate" : "");
  }
  struct ca_files_cleanup {
    const std::optional<cmd::ca_setup>& ca;
    ~ca_files_cleanup() {
      if (ca)
        cmd::remove_ca_files(*ca);
    }
  } cleanup{ca};
  // Before every gRPC object and the actors that hold streams: gRPC shuts down when main returns,
  // on this thread, after all of them (not on a detached thread the exit could outrun).
  xds::grpc_lifetime grpc;
  caf::actor_system_config cfg;
  caf::actor_system system{system_config(cfg)};
  // The root of the supervision tree: a top-level actor that dies ends the process (exit 3).
  auto death = std::make_shared<cmd::death_record>();
  actors::top_level_watch top_level{cmd::signal_first_death(death)};
  cmd::process_tree tree{system, top_level};
  tree.spawn_serving(settings);
  auto xds = cmd::start_xds_listeners(opts, tree.xds_publisher, tree.token_reviewer,
                                      tree.readiness_aggregator, ca ? &*ca : nullptr);
  if (auto* err = std::get_if<std::string>(&xds)) {
    log->critical("{}", *err);
    tree.stop_clusters();
    tree.stop_serving();
    return 2;
  }
  auto& listeners = std::get<cmd::xds_listeners>(xds);
  if (demo && ca && ca->serving && listeners.tls_port != 0)
    for (const auto& line : demo->ztunnel_hints(listeners.tls_port, ca->serving->ca_file, opts))
      log->info("demo: {}", line);
  tree.spawn_clusters(settings);
  if (ca)
    tree.spawn_ca_keeper(settings, *ca);
  if (!settings.config_cluster)
    log->warn("no config cluster: not in a pod and no --kubeconfig, so no remote secrets are "
              "watched");
  auto admin = cmd::start_admin_servers(
      opts, cmd::make_admin_context(system, tree, settings, listeners.server != nullptr));
  log->info("started: cluster_id={} system_namespace={} config_cluster={} scheduler_threads={}",
            opts.cluster_id, opts.system_namespace,
            settings.config_cluster ? settings.config_cluster->source : "none",
            system.scheduler().num_workers());
  int exit_code = 0;
  if (auto* err = std::get_if<std::string>(&admin)) {
    log->critical("{}", *err);
    exit_code = 2;
  } else if (demo) {
    exit_code = demo->run(opts, signals, system, tree.cluster_store, *death);
  } else {
    exit_code = cmd::exit_code_for(signals.wait(), *death);
  }
  // The admin servers go first: their handlers ask the actors.
  admin = cmd::admin_servers{};
  tree.stop_clusters();
  if (listeners.server)
    listeners.server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds{2});
  tree.stop_serving();
  return exit_code;
}
