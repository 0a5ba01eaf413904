// kube-sim: serves a fleet of simulated Kubernetes API servers until SIGINT/SIGTERM or --duration.

#include <csignal>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "cmd/flags.hpp"
#include "cmd/version.hpp"
#include "sim/admin_api.hpp"
#include "sim/fleet.hpp"
#include "sim/workload.hpp"
#include "telemetry/log.hpp"

namespace {

struct options {
  uint32_t clusters = 3;
  std::string dir = "kube-sim-fleet";
  uint16_t admin_port = 0;
  bool client_cert_auth = false;
  std::string network_prefix;
  uint32_t threads = 2;
  uint32_t history_limit = 100'000;
  std::chrono::milliseconds bookmark_interval{std::chrono::seconds{60}};
  uint32_t seed_namespaces = 2, seed_nodes = 3, seed_services = 10, seed_pods = 0;
  uint32_t churn_rate = 0;
  std::chrono::milliseconds duration{0};
  std::string log_level = "info";
};

} // namespace

int main(int argc, char** argv) {
  using namespace ambient;
  options o;
  std::string config;
  cmd::flag_set flags{"kube-sim",
                      "A fleet of simulated Kubernetes API servers (HTTPS on 127.0.0.1) with a "
                      "fault menu, for ambientd's tests, bench and demo.",
                      std::string{"kube-sim "} + cmd::version_string};
  flags.enable_config_file(&config);
  flags.add("clusters", &o.clusters, "number of clusters in the fleet");
  flags.add("dir", &o.dir, "directory for <cluster>.kubeconfig files and fleet.json");
  flags.add("admin-port", &o.admin_port, "port of the fault-menu admin API on 127.0.0.1 (0: any)");
  flags.add("client-cert-auth", &o.client_cert_auth,
            "kubeconfigs authenticate with client certificates instead of bearer tokens");
  flags.add("network-prefix", &o.network_prefix,
            "label istio-system of cluster i with topology.istio.io/network=<prefix><i>");
  flags.add("threads", &o.threads, "I/O threads serving the fleet");
  flags.add("history-limit", &o.history_limit,
            "watch events kept per cluster; older resource versions get 410 Expired");
  flags.add("bookmark-interval", &o.bookmark_interval, "how often watches get a BOOKMARK");
  flags.add("seed-namespaces", &o.seed_namespaces, "generated namespaces per cluster");
  flags.add("seed-nodes", &o.seed_nodes, "generated nodes per cluster");
  flags.add("seed-services", &o.seed_services, "generated services per cluster");
  flags.add("seed-pods", &o.seed_pods, "generated pods per cluster (0: do not seed)");
  flags.add("churn-rate", &o.churn_rate, "pod changes per second per cluster (needs --seed-pods)");
  flags.add("duration", &o.duration, "stop after this long (0: until SIGINT/SIGTERM)");
  flags.add_choice("log-level", &o.log_level, {"debug", "info", "warn", "error"},
                   "lowest level of log lines written");
  auto parsed = flags.parse(argc, argv);
  switch (parsed.outcome) {
    case cmd::parse_outcome::help:
      std::cout << flags.usage();
      return 0;
    case cmd::parse_outcome::version:
      std::cout << flags.version() << '\n';
      return 0;
    case cmd::parse_outcome::error:
      std::cerr << "kube-sim: " << parsed.message << '\n';
      return 2;
    case cmd::parse_outcome::run:
      break;
  }
  if (o.clusters == 0 || o.clusters > 60) {
    std::cerr << "kube-sim: --clusters must be between 1 and 60\n";
    return 2;
  }
  telemetry::configure_logging(
      {telemetry::log_format::text,
       telemetry::parse_log_level(o.log_level).value_or(spdlog::level::info)});
  auto log = telemetry::make_logger("kube-sim");

  sigset_t sigs;
  sigemptyset(&sigs);
  sigaddset(&sigs, SIGINT);
  sigaddset(&sigs, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &sigs, nullptr);

  std::error_code ec;
  std::filesystem::create_directories(o.dir, ec);
  if (ec) {
    std::cerr << "kube-sim: cannot create --dir " << o.dir << ": " << ec.message() << '\n';
    return 1;
  }
  try {
    sim::fleet_options fo;
    fo.clusters = o.clusters;
    fo.kubeconfig_dir = o.dir;
    fo.network_prefix = o.network_prefix;
    fo.client_cert_auth = o.client_cert_auth;
    fo.threads = o.threads;
    fo.history_limit = o.history_limit;
    fo.server.bookmark_interval = o.bookmark_interval;
    sim::fleet fleet{fo};
    sim::admin_api admin{fleet};
    fleet.start();
    auto admin_port = admin.listen(o.admin_port);
    for (size_t i = 0; i < fleet.size(); ++i) {
      auto& c = fleet.cluster(i);
      if (o.seed_pods > 0) {
        auto target = "/clusters/" + c.name() + "/seed?namespaces="
                      + std::to_string(o.seed_namespaces) + "&nodes=" + std::to_string(o.seed_nodes)
                      + "&services=" + std::to_string(o.seed_services)
                      + "&pods=" + std::to_string(o.seed_pods);
        auto r = admin.handle("POST", target);
        if (r.status != 200)
          throw std::runtime_error("seeding " + c.name() + ": " + r.body);
        if (o.churn_rate > 0)
          admin.handle("POST",
                       "/clusters/" + c.name() + "/churn?rate=" + std::to_string(o.churn_rate));
      }
      log->info("cluster {} serving {} (kubeconfig {})", c.name(), c.server_url(),
                c.kubeconfig_path());
    }
    auto fleet_json = admin.handle("GET", "/fleet").body;
    fleet_json.insert(1, "\"admin\":\"http://127.0.0.1:" + std::to_string(admin_port) + "\",");
    {
      std::ofstream out{o.dir + "/fleet.json.tmp"};
      out << fleet_json << '\n';
    }
    std::filesystem::rename(o.dir + "/fleet.json.tmp", o.dir + "/fleet.json");
    log->info("admin API on http://127.0.0.1:{} ; fleet described in {}/fleet.json", admin_port,
              o.dir);
    if (o.duration.count() > 0) {
      timespec ts{static_cast<time_t>(o.duration.count() / 1000),
                  static_cast<long>(o.duration.count() % 1000) * 1'000'000};
      int sig = sigtimedwait(&sigs, nullptr, &ts);
      log->info("{}, stopping", sig > 0 ? "signal received" : "duration elapsed");
    } else {
      int sig = 0;
      sigwait(&sigs, &sig);
      log->info("signal {} received, stopping", sig);
    }
    fleet.stop();
  } catch (const std::exception& e) {
    log->error("{}", e.what());
    return 1;
  }
  return 0;
}
