// ambientd: start-up only. Flags, logging, the config cluster's credentials, the actor tree, and an
// orderly stop on SIGINT/SIGTERM.

#include <malloc.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <variant>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scheduler/abstract_coordinator.hpp>
#include <caf/send.hpp>
#include <grpcpp/grpcpp.h>

#include "actors/ask.hpp"
#include "actors/cluster_store.hpp"
#include "actors/leader_elector.hpp"
#include "actors/readiness_aggregator.hpp"
#include "actors/secret_watcher.hpp"
#include "actors/status_writer.hpp"
#include "actors/top_level.hpp"
#include "actors/xds_publisher.hpp"
#include "admin/http_server.hpp"
#include "cmd/ambientd/admin_routes.hpp"
#include "cmd/ambientd/demo.hpp"
#include "cmd/ambientd/options.hpp"
#include "cmd/version.hpp"
#include "kube/transport.hpp"
#include "mesh/mesh_config.hpp"
#include "messages/registration.hpp"
#include "messages/type_ids.hpp"
#include "telemetry/log.hpp"
#include "xds/grpc_lifetime.hpp"
#include "xds/peer_identity.hpp"

namespace {

/// The signal the process sends itself when a top-level actor dies: it wakes main's wait.
constexpr int actor_died_signal = SIGUSR1;

/// Blocks SIGINT, SIGTERM and actor_died_signal in every thread (call before any thread starts)
/// and waits for one.
class signal_waiter {
public:
  signal_waiter() {
    sigemptyset(&set_);
    sigaddset(&set_, SIGINT);
    sigaddset(&set_, SIGTERM);
    sigaddset(&set_, actor_died_signal);
    pthread_sigmask(SIG_BLOCK, &set_, nullptr);
  }
  int wait() {
    int sig = 0;
    sigwait(&set_, &sig);
    return sig;
  }
  /// The signal that arrived within `timeout`, or nullopt.
  std::optional<int> wait_for(std::chrono::milliseconds timeout) {
    auto secs = std::chrono::duration_cast<std::chrono::seconds>(timeout);
    timespec ts{static_cast<time_t>(secs.count()),
                static_cast<long>(std::chrono::nanoseconds{timeout - secs}.count())};
    int sig = sigtimedwait(&set_, nullptr, &ts);
    if (sig < 0)
      return std::nullopt;
    return sig;
  }

private:
  sigset_t set_{};
};

/// The config cluster's credentials and where they came from.
struct found_config {
  ambient::kube::rest_config config;
  ambient::kube::connection_settings settings;
  std::string source;
};
struct no_config {};

/// Finds the config cluster: --kubeconfig, else the pod's service account, else none. A string is
/// an error that stops start-up (the operator's own configuration is wrong).
std::variant<found_config, no_config, std::string>
config_cluster(const ambient::cmd::ambientd_options& opts) {
  using namespace ambient;
  std::variant<kube::rest_config, kube::kubeconfig_error> parsed;
  std::string source;
  if (!opts.kubeconfig.empty()) {
    auto text = kube::read_file(opts.kubeconfig);
    if (!text)
      return "--kubeconfig: cannot read " + opts.kubeconfig;
    // The operator's own kubeconfig may use every local file it names; exec plugins and auth
    // providers are refused by the transport below.
    kube::kubeconfig_policy own;
    for (auto o : {kube::kubeconfig_option::token_file, kube::kubeconfig_option::client_key_file,
                   kube::kubeconfig_option::client_cert_file, kube::kubeconfig_option::ca_file})
      own.allowed.insert(o);
    parsed = kube::parse_kubeconfig(*text, opts.cluster_id, own);
    source = opts.kubeconfig;
  } else if (auto in_cluster = kube::in_cluster_config()) {
    parsed = std::move(*in_cluster);
    source = "in-cluster";
  } else {
    return no_config{};
  }
  if (auto* err = std::get_if<kube::kubeconfig_error>(&parsed))
    return "config cluster (" + source + "): " + err->message;
  auto& rc = std::get<kube::rest_config>(parsed);
  auto settings = kube::to_connection_settings(rc);
  if (auto* err = std::get_if<kube::kubeconfig_error>(&settings))
    return "config cluster (" + source + "): " + err->message;
  return found_config{rc, std::get<kube::connection_settings>(std::move(settings)), source};
}

/// Reads --mesh-config (defaults without one). The cluster ID is --cluster-id's; a file naming
/// another one is refused rather than silently overridden. A string is a start-up error.
std::variant<ambient::mesh::mesh_config, std::string>
load_mesh_config(const ambient::cmd::ambientd_options& opts) {
  using namespace ambient;
  mesh::mesh_config cfg;
  if (!opts.mesh_config.empty()) {
    auto text = kube::read_file(opts.mesh_config);
    if (!text)
      return "--mesh-config: cannot read " + opts.mesh_config;
    auto parsed = mesh::parse_mesh_config(*text);
    if (auto* err = std::get_if<mesh::config_error>(&parsed))
      return "--mesh-config " + opts.mesh_config + ": " + err->message;
    cfg = std::get<mesh::mesh_config>(std::move(parsed));
    if (cfg.cluster_id != mesh::mesh_config{}.cluster_id && cfg.cluster_id != opts.cluster_id)
      return "--mesh-config " + opts.mesh_config + ": clusterId " + cfg.cluster_id
             + " differs from --cluster-id " + opts.cluster_id;
  }
  cfg.cluster_id = opts.cluster_id;
  return cfg;
}

/// This replica's identity in the Lease: the flag, else $POD_NAME (the Deployment sets it from
/// the downward API), else the host name with a random suffix (two processes on one host differ).
std::string replica_identity(const std::string& flag) {
  if (!flag.empty())
    return flag;
  if (const char* pod = std::getenv("POD_NAME"); pod != nullptr && *pod != '\0')
    return pod;
  char host[256] = {};
  ::gethostname(host, sizeof host - 1);
  return fmt::format("{}-{:06x}", host, std::random_device{}() & 0xffffff);
}

/// --check-config: everything start-up reads before it starts anything; what is wrong goes to
/// stderr (exit 2), "configuration OK" to stdout (exit 0).
int check_config(const ambient::cmd::ambientd_options& opts) {
  if (!opts.kubeconfig.empty())
    if (auto local = config_cluster(opts); auto* err = std::get_if<std::string>(&local)) {
      std::cerr << "ambientd: " << *err << '\n';
      return 2;
    }
  if (auto mesh = load_mesh_config(opts); auto* err = std::get_if<std::string>(&mesh)) {
    std::cerr << "ambientd: " << *err << '\n';
    return 2;
  }
  try {
    ambient::xds::spiffe_allow_list::parse(opts.xds_allowed_spiffe_ids);
  } catch (const std::invalid_argument& e) {
    std::cerr << "ambientd: --xds-allowed-spiffe-ids: " << e.what() << '\n';
    return 2;
  }
  std::cout << "ambientd: configuration OK (cluster " << opts.cluster_id << ", system namespace "
            << opts.system_namespace << ", mesh config "
            << (opts.mesh_config.empty() ? std::string{"defaults"} : opts.mesh_config) << ")\n";
  return 0;
}

} // namespace

int main(int argc, char** argv) {
  using namespace ambient;
  // Two malloc arenas, not eight per core: CAF workers, gRPC and the transport all allocate, and
  // glibc's per-thread arenas each kept their own peak (bench/run mc-scale: 67 → 38 MiB RSS for
  // the first remote cluster of 4,000 pods).
  ::mallopt(M_ARENA_MAX, 2);
  auto parsed = cmd::parse_ambientd_flags(argc, argv);
  switch (parsed.result.outcome) {
    case cmd::parse_outcome::help:
      std::cout << parsed.usage;
      return 0;
    case cmd::parse_outcome::version:
      std::cout << parsed.version << '\n';
      return 0;
    case cmd::parse_outcome::error:
      std::cerr << "ambientd: " << parsed.result.message << '\n';
      return 2;
    case cmd::parse_outcome::run:
      break;
  }
  auto opts = parsed.options;
  if (opts.check_config)
    return check_config(opts);
  telemetry::configure_logging(parsed.log);
  auto log = telemetry::make_logger("ambientd");
  signal_waiter signals;

  std::unique_ptr<cmd::demo_run> demo;
  if (opts.demo) {
    try {
      demo = std::make_unique<cmd::demo_run>();
    } catch (const std::exception& e) {
      log->critical("--demo: {}", e.what());
      return 1;
    }
    demo->configure(opts);
    for (const auto& line : demo->describe())
      log->info("demo: {}", line);
  }
  telemetry::default_registry()
      .add_gauge("ambientd_build_info", "1, labelled with the running version",
                 {{"version", cmd::version_string}})
      .set(1);
  auto local = config_cluster(opts);
  if (auto* err = std::get_if<std::string>(&local)) {
    log->critical("{}", *err);
    return 2;
  }
  auto mesh_cfg = load_mesh_config(opts);
  if (auto* err = std::get_if<std::string>(&mesh_cfg)) {
    log->critical("{}", *err);
    return 2;
  }
  // Before every gRPC object and the actors that hold streams: gRPC shuts down when main returns,
  // on this thread, after all of them (not on a detached thread the exit could outrun).
  xds::grpc_lifetime grpc;
  auto transport = std::make_shared<kube::transport>();
  caf::actor_system_config cfg;
  messages::register_types(cfg);
  // CAF's idle workers poll: after a spin, 500 sleeps of 50 us, then a 10 ms condition-variable
  // wait. Every timer or watch event wakes them into that 25 ms poll again, which made an idle
  // ambientd burn ~1 % of a core per remote cluster (bench/run mc-scale). Skip the moderate phase
  // and wait on the condition variable at once (an enqueue from another thread notifies it);
  // the timeout only paces work stealing between workers.
  cfg.set("work-stealing.moderate-poll-attempts", size_t{0});
  cfg.set("work-stealing.relaxed-sleep-duration", caf::timespan{std::chrono::milliseconds{100}});
  caf::actor_system system{cfg};
  // The root of the supervision tree: a top-level actor that dies ends the process (exit 3).
  // Shared with the watch's callback, which runs on a dying actor's thread and may outlive main's
  // locals (an actor that dies just as shutdown starts).
  struct death_record {
    std::mutex m;
    std::optional<actors::top_level_death> first;
  };
  auto death = std::make_shared<death_record>();
  actors::top_level_watch top_level{[death](const actors::top_level_death& d) {
    {
      std::lock_guard g{death->m};
      if (death->first)
        return; // the first death is the one to report
      death->first = d;
    }
    kill(getpid(), actor_died_signal); // wakes main's wait
  }};

  actors::cluster_store_config store_cfg;
  store_cfg.config_cluster_id = opts.cluster_id;
  store_cfg.policy = std::get<kube::kubeconfig_policy>(parsed.policy_or_error);
  store_cfg.transport = transport;
  store_cfg.sync_timeout = opts.remote_sync_timeout;
  // Every cluster's objects flow into the readiness aggregator, whose deltas the xDS publisher
  // serves over ADS (gRPC's own threads; they only send the publisher messages).
  xds::spiffe_allow_list allowed;
  try {
    allowed = xds::spiffe_allow_list::parse(opts.xds_allowed_spiffe_ids);
  } catch (const std::invalid_argument& e) {
    log->critical("--xds-allowed-spiffe-ids: {}", e.what());
    return 2;
  }
  std::shared_ptr<grpc::ServerCredentials> tls_creds;
  if (!opts.xds_tls_address.empty()) {
    auto made = xds::make_server_credentials(
        {opts.xds_tls_cert, opts.xds_tls_key, opts.xds_client_ca},
        std::chrono::duration_cast<std::chrono::seconds>(opts.xds_tls_reload));
    if (!made.error.empty()) {
      log->critical("--xds-tls-address {}: {}", opts.xds_tls_address, made.error);
      return 2;
    }
    tls_creds = made.creds;
  }
  actors::xds_publisher_config publisher_cfg;
  // Versions of this process's resources: a client's cache from before a restart never matches.
  publisher_cfg.version_prefix = fmt::format("{:08x}-", std::random_device{}());
  publisher_cfg.push_interval = opts.xds_push_interval;
  auto publisher = system.spawn(actors::xds_publisher_impl, publisher_cfg);
  auto aggregator
      = system.spawn(actors::readiness_aggregator_impl,
                     actors::readiness_aggregator_config{std::make_shared<const mesh::mesh_config>(
                                                             std::get<mesh::mesh_config>(mesh_cfg)),
                                                         publisher});
  // One service for both listeners: a plaintext peer passes the check, a TLS peer needs an
  // allowed SPIFFE ID.
  xds::ads_service ads{actors::forward_to(publisher),
                       [allowed](const grpc::CallbackServerContext& ctx) {
                         auto auth = ctx.auth_context();
                         return auth ? xds::check_peer(*auth, allowed) : std::string{};
                       }};
  grpc::ServerBuilder builder;
  int xds_port = 0;
  int xds_tls_port = 0;
  if (!opts.xds_address.empty())
    builder.AddListeningPort(opts.xds_address, grpc::InsecureServerCredentials(), &xds_port);
  if (tls_creds)
    builder.AddListeningPort(opts.xds_tls_address, tls_creds, &xds_tls_port);
  builder.RegisterService(&ads);
  auto xds_server = builder.BuildAndStart();
  auto refused = [&](const std::string& flag, const std::string& address, int port) {
    if (address.empty() || (xds_server && port != 0))
      return false;
    log->critical("{} {}: cannot listen there", flag, address);
    return true;
  };
  if (refused("--xds-address", opts.xds_address, xds_port)
      || refused("--xds-tls-address", opts.xds_tls_address, xds_tls_port)) {
    for (const auto& a : {publisher, aggregator})
      caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
    return 2;
  }
  top_level.watch("xds_publisher", publisher);
  top_level.watch("readiness_aggregator", aggregator);
  if (xds_port != 0)
    log->info("serving ADS on {} (port {})", opts.xds_address, xds_port);
  if (xds_tls_port != 0)
    log->info("serving ADS with mTLS on {} (port {}), allowed SPIFFE IDs: {}", opts.xds_tls_address,
              xds_tls_port,
              allowed.empty() ? std::string{"any from the client CA"}
                              : opts.xds_allowed_spiffe_ids);
  store_cfg.sink = aggregator;
  auto* found = std::get_if<found_config>(&local);
  if (found != nullptr)
    store_cfg.config_cluster = found->config;
  auto store = system.spawn(actors::cluster_store_impl, store_cfg);
  top_level.watch("cluster_store", store);
  caf::actor watcher;
  caf::actor elector;
  caf::actor writer;
  if (found != nullptr) {
    actors::secret_watcher_config wc;
    wc.transport = transport;
    wc.config_cluster_client = transport->add_client(found->settings);
    wc.config_cluster_id = opts.cluster_id;
    wc.system_namespace = opts.system_namespace;
    wc.label_selector = opts.remote_secret_selector;
    wc.cluster_store = store;
    watcher = system.spawn(actors::secret_watcher_impl, wc);
    top_level.watch("secret_watcher", watcher);
    if (opts.leader_election) {
      // The elector's own client: its requests time out well before the renew deadline, so a
      // hung renewal has ended by the time the deadline is checked.
      kube::client_limits limits;
      limits.request_timeout = opts.renew_deadline / 2;
      limits.connect_timeout = std::min(limits.connect_timeout, opts.renew_deadline / 2);
      auto client = transport->add_client(found->settings, limits);
      actors::status_writer_config sc;
      sc.transport = transport;
      sc.client = client;
      sc.namespace_ = opts.system_namespace;
      sc.config_map = opts.status_configmap;
      sc.cluster_store = store;
      writer = system.spawn(actors::status_writer_impl, sc);
      actors::leader_elector_config ec;
      ec.transport = transport;
      ec.client = client;
      ec.namespace_ = opts.system_namespace;
      ec.lease_name = opts.lease_name;
      ec.identity = replica_identity(opts.identity);
      ec.timing = {opts.lease_duration, opts.renew_deadline, opts.retry_period};
      ec.followers = {writer};
      elector = system.spawn(actors::leader_elector_impl, ec);
      top_level.watch("status_writer", writer);
      top_level.watch("leader_elector", elector);
    }
  } else {
    log->warn("no config cluster: not in a pod and no --kubeconfig, so no remote secrets are "
              "watched");
  }
  std::atomic<bool> xds_serving{xds_server != nullptr};
  cmd::admin_context actx;
  actx.system = &system;
  actx.cluster_store = store;
  actx.aggregator = aggregator;
  actx.publisher = publisher;
  actx.config_cluster_id = opts.cluster_id;
  actx.has_config_cluster = found != nullptr;
  actx.require_remote = opts.require_remote_clusters;
  actx.xds_serving = &xds_serving;
  std::vector<std::unique_ptr<admin::http_server>> admin_servers;
  auto serve_admin = [&](const char* flag, const std::string& address, const char* what,
                         void (*routes)(admin::http_server&, const cmd::admin_context&)) {
    if (address.empty())
      return true;
    admin::http_server_options ho;
    ho.address = address;
    ho.threads = 2;
    auto server = std::make_unique<admin::http_server>(ho);
    routes(*server, actx);
    try {
      server->start();
    } catch (const std::exception& e) {
      log->critical("{} {}: {}", flag, address, e.what());
      return false;
    }
    log->info("serving {} on {} (port {})", what, address, server->port());
    admin_servers.push_back(std::move(server));
    return true;
  };
  bool admin_ok = serve_admin("--monitoring-address", opts.monitoring_address,
                              "/metrics, /healthz, /readyz", cmd::add_monitoring_routes)
                  && serve_admin("--debug-address", opts.debug_address, "/debug and the dashboard",
                                 cmd::add_debug_routes);
  log->info("started: cluster_id={} system_namespace={} config_cluster={} scheduler_threads={}",
            opts.cluster_id, opts.system_namespace, found ? found->source : "none",
            system.scheduler().num_workers());
  int exit_code = 0;
  // A signal arrived: SIGINT or SIGTERM stop ambientd cleanly; actor_died_signal means a
  // top-level actor died, which nothing in the process can repair.
  auto stop_for = [&](int sig) {
    std::lock_guard g{death->m};
    if (sig == actor_died_signal && death->first) {
      log->critical("{} stopped unexpectedly ({}); it has no supervisor that could rebuild it "
                    "in place, so ambientd exits with code 3 to be restarted",
                    death->first->actor, death->first->reason);
      exit_code = 3;
      return;
    }
    // SIGUSR1 from outside (no actor died) stops ambientd like SIGTERM, as its default action
    // would have, but cleanly.
    log->info("received {}, shutting down", sig == SIGTERM  ? "SIGTERM"
                                            : sig == SIGINT ? "SIGINT"
                                                            : "SIGUSR1");
  };
  if (!admin_ok) {
    exit_code = 2;
  } else if (demo) {
    auto start = std::chrono::steady_clock::now();
    for (;;) {
      auto sig = signals.wait_for(std::chrono::milliseconds{500});
      auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
          std::chrono::steady_clock::now() - start);
      auto status = actors::ask<messages::cluster_store_status>(
          system, store, std::chrono::seconds{2}, atom::status_v);
      demo->tick(elapsed, status ? &*status : nullptr, std::cout);
      if (sig) {
        stop_for(*sig);
        break;
      }
      if (opts.demo_duration.count() > 0 && elapsed >= opts.demo_duration) {
        if (auto missing = demo->verdict(); !missing.empty()) {
          log->error("demo: after {} ms: {}", opts.demo_duration.count(), missing);
          exit_code = 1;
        } else {
          log->info("demo: every cluster reached synced and is synced now; stopping after {} ms",
                    opts.demo_duration.count());
        }
        break;
      }
    }
  } else {
    stop_for(signals.wait());
  }
  top_level.stopping();
  // The admin servers go first: their handlers ask the actors.
  admin_servers.clear();
  if (elector) {
    // Give the lease up so another replica leads at its next try instead of after expiry.
    actors::ask<caf::unit_t>(system, elector, std::chrono::seconds{3}, atom::release_v);
    caf::anon_send_exit(elector, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(writer, caf::exit_reason::user_shutdown);
  }
  if (watcher)
    caf::anon_send_exit(watcher, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(store, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(aggregator, caf::exit_reason::user_shutdown);
  if (xds_server)
    xds_server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds{2});
  caf::anon_send_exit(publisher, caf::exit_reason::user_shutdown);
  system.await_all_actors_done();
  return exit_code;
}
