#pragma once

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <regex>
#include <string>
#include <unistd.h>
#include <vector>

#include "sim/fleet.hpp"
#include "sim/json.hpp"
#include "sim/objects.hpp"
#include "sim/resources.hpp"
#include "support/ambientd_command.hpp"
#include "support/child_process.hpp"
#include "support/http_get.hpp"
#include "support/sim_objects.hpp"

namespace ambient::test {

/// A temporary directory, removed with everything in it when destroyed.
struct temp_dir {
  explicit temp_dir(const std::string& prefix)
    : path(std::filesystem::temp_directory_path()
           / (prefix + "-" + std::to_string(::getpid()) + "-" + std::to_string(++counter()))) {
    std::filesystem::create_directories(path);
  }
  ~temp_dir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  static int& counter() {
    static int n = 0;
    return n;
  }
  std::filesystem::path path;
};

/// A kube-sim fleet (cluster-1 is the config cluster) and the ambientd binary watching it, with
/// plaintext ADS on a port the kernel picks. ambientd's log is printed when the harness goes (ctest
/// shows it for a failed test).
struct ambientd_harness {
  /// `network_prefix` non-empty puts cluster i on network "<network_prefix><i>".
  explicit ambientd_harness(size_t clusters, const std::string& prefix = "ambientd-interop",
                            const std::string& network_prefix = "")
    : dir(prefix) {
    std::filesystem::create_directories(dir.path / "fleet");
    sim::fleet_options fo;
    fo.clusters = clusters;
    fo.network_prefix = network_prefix;
    fo.kubeconfig_dir = (dir.path / "fleet").string();
    fo.server.bookmark_interval = std::chrono::milliseconds{500};
    fleet = std::make_unique<sim::fleet>(fo);
    fleet->start();
  }

  ~ambientd_harness() {
    if (ambientd)
      std::cout << "--- ambientd log\n" << ambientd->log();
  }

  sim::sim_cluster& cluster(size_t i) {
    return fleet->cluster(i);
  }

  /// Seeds cluster `i` with workloads of `shape` (namespaces, nodes, services, pods).
  sim::seeded_cluster seed(size_t i, const sim::workload_shape& shape) {
    return sim::seed_workloads(cluster(i).data(), static_cast<uint32_t>(i), shape);
  }

  /// Seeds remote cluster `i` (as seed()) and puts its remote secret in the config cluster,
  /// "istio-remote-secret-<its name>", so ambientd watches it once started.
  void seed_remote(size_t i, const sim::workload_shape& shape) {
    seed(i, shape);
    put_remote_secret(cluster(0), "istio-remote-secret-" + cluster(i).name(), cluster(i));
  }

  /// One ambientd process on the fleet and the ports it serves.
  struct process {
    std::unique_ptr<child_process> child;
    int xds_port = 0;
    int monitoring_port = 0;
    int debug_port = 0;
    std::string xds_target() const {
      return "127.0.0.1:" + std::to_string(xds_port);
    }
  };

  /// Starts one more ambientd (extra flags appended), logging to its own file, and waits for its
  /// ports: a second replica, or a process the test manages itself.
  process launch(const std::vector<std::string>& extra = {}) {
    std::vector<std::string> flags{"--remote-sync-timeout", "5s", "--log-format", "json"};
    flags.insert(flags.end(), extra.begin(), extra.end());
    process p;
    p.child = std::make_unique<child_process>(
        ambientd_argv(AMBIENTD_BINARY, cluster(0).kubeconfig_path(), flags),
        (dir.path / ("ambientd-" + std::to_string(++starts) + ".log")).string());
    auto port = [&](const std::string& what) {
      auto found = wait_served_port(*p.child, what, std::chrono::seconds{20});
      if (!found)
        std::cout << "--- ambientd log (no " << what << " port)\n" << p.child->log();
      REQUIRE(found);
      return *found;
    };
    p.xds_port = port("ADS");
    p.monitoring_port = port("/metrics, /healthz, /readyz");
    p.debug_port = port("/debug and the dashboard");
    return p;
  }

  /// Starts ambientd (extra flags appended) and waits for its ports. Called again, it stops the
  /// running one first (a restart: a new process on new ports).
  void start(const std::vector<std::string>& extra = {}) {
    if (ambientd) {
      ambientd->stop();
      std::cout << "--- ambientd log (run " << starts << ")\n" << ambientd->log();
      ambientd.reset();
    }
    auto p = launch(extra);
    ambientd = std::move(p.child);
    xds_port = p.xds_port;
    monitoring_port = p.monitoring_port;
    debug_port = p.debug_port;
  }

  /// A URL on the monitoring port (/metrics, /healthz, /readyz).
  std::string monitoring_url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(monitoring_port) + path;
  }
  /// A URL on the debug port (/debug/*, the dashboard).
  std::string debug_url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(debug_port) + path;
  }

  /// The dashboard as headless Chromium renders it: the DOM once its scripts have run.
  command_result dashboard_dom() const {
    auto profile = (dir.path / "chromium").string();
    return run_command("chromium --headless --no-sandbox --disable-gpu --no-first-run "
                       "--user-data-dir='"
                       + profile + "' --virtual-time-budget=10000 --dump-dom '"
                       + debug_url("/debug/dashboard") + "'");
  }

  /// kubectl against the config cluster (cluster 0) with `input` on stdin (if any); REQUIREs
  /// success and returns its output.
  std::string kubectl(const std::string& args, const std::string& input = {}) const {
    return kubectl_on(0, args, input);
  }

  /// kubectl against cluster `i`, as kubectl().
  std::string kubectl_on(size_t i, const std::string& args, const std::string& input = {}) const {
    std::string file;
    if (!input.empty()) {
      file = (dir.path / "kubectl-input.yaml").string();
      std::ofstream{file} << input;
    }
    auto r = run_command("KUBECONFIG='" + fleet->cluster(i).kubeconfig_path() + "' KUBECACHEDIR='"
                             + (dir.path / "kube-cache").string() + "' timeout 30 kubectl " + args,
                         file);
    INFO("kubectl " << args << "\n" << r.output);
    REQUIRE(r.exit_code == 0);
    return r.output;
  }

  /// Waits for a log line of ambientd matching `re` (30 s).
  bool wait_log(const std::string& re) {
    return ambientd->wait_log(std::regex{re}, std::chrono::seconds{30}).has_value();
  }

  std::string xds_target() const {
    return "127.0.0.1:" + std::to_string(xds_port);
  }

  temp_dir dir;
  std::unique_ptr<sim::fleet> fleet;
  std::unique_ptr<child_process> ambientd;
  int starts = 0;
  int xds_port = 0;
  int monitoring_port = 0;
  int debug_port = 0;
};

} // namespace ambient::test
