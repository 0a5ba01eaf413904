// Leader failover: three ambientd replicas against an in-process kube-sim config cluster; the
// leader is killed (SIGKILL) or stopped (SIGTERM) again and again, and the bench times how long
// the Lease takes to name another holder. Prints median and max per kind against the bounds the
// timings promise. Usage:
//   failover_bench AMBIENTD [--kills N] [--lease-duration S] [--renew-deadline S] [--retry-period
//   S]
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "sim/fleet.hpp"
#include "sim/json.hpp"
#include "sim/resources.hpp"
#include "support/ambientd_command.hpp"
#include "support/child_process.hpp"
#include "support/sim_objects.hpp"

using namespace ambient;

namespace {

using namespace std::chrono_literals;
using steady = std::chrono::steady_clock;

/// Waits until the Lease names a holder other than `old` ("" counts as none); how long it took.
std::optional<std::chrono::milliseconds> wait_holder(sim::sim_cluster& c, const std::string& old,
                                                     steady::time_point since,
                                                     std::chrono::seconds limit) {
  while (steady::now() - since < limit) {
    auto h = test::lease_holder(c);
    if (!h.empty() && h != old)
      return std::chrono::duration_cast<std::chrono::milliseconds>(steady::now() - since);
    std::this_thread::sleep_for(5ms);
  }
  return std::nullopt;
}

struct stats {
  std::vector<double> ms;
  double median() {
    std::sort(ms.begin(), ms.end());
    return ms.empty() ? 0 : ms[ms.size() / 2];
  }
  double max() const {
    return ms.empty() ? 0 : *std::max_element(ms.begin(), ms.end());
  }
};

} // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: failover_bench AMBIENTD [--kills N] [--lease-duration S] "
                         "[--renew-deadline S] [--retry-period S]\n");
    return 2;
  }
  std::string ambientd = argv[1];
  int kills = 20;
  double lease = 4, renew = 3, retry = 1;
  for (int i = 2; i + 1 < argc; i += 2) {
    std::string f = argv[i];
    double v = std::stod(argv[i + 1]);
    if (f == "--kills")
      kills = static_cast<int>(v);
    else if (f == "--lease-duration")
      lease = v;
    else if (f == "--renew-deadline")
      renew = v;
    else if (f == "--retry-period")
      retry = v;
  }
  auto dir
      = std::filesystem::temp_directory_path() / ("failover-bench-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  sim::fleet_options fo;
  fo.clusters = 1;
  fo.kubeconfig_dir = dir.string();
  sim::fleet fleet{fo};
  fleet.start();
  auto& config = fleet.cluster(0);
  auto secs = [](double s) {
    return std::to_string(static_cast<int>(s * 1000)) + "ms";
  };
  std::map<std::string, std::unique_ptr<test::child_process>> replicas;
  int starts = 0; // each start logs to a file of its own
  auto start_replica = [&](const std::string& id) {
    replicas[id] = std::make_unique<test::child_process>(
        test::ambientd_argv(ambientd, config.kubeconfig_path(),
                            {"--identity", id, "--lease-duration", secs(lease), "--renew-deadline",
                             secs(renew), "--retry-period", secs(retry)}),
        (dir / (id + "-" + std::to_string(++starts) + ".log")).string());
  };
  for (const char* id : {"replica-1", "replica-2", "replica-3"})
    start_replica(id);
  auto limit = std::chrono::seconds{static_cast<int>(lease * 3 + retry * 3 + 10)};
  if (!wait_holder(config, "", steady::now(), limit)) {
    std::fprintf(stderr, "no replica ever led (see %s)\n", dir.c_str());
    return 1;
  }
  stats killed, stopped;
  int failures = 0;
  for (int round = 0; round < 2 * kills; ++round) {
    bool term = round % 2 == 1; // alternate SIGKILL and SIGTERM
    auto leader = test::lease_holder(config);
    auto t0 = steady::now();
    ::kill(replicas.at(leader)->pid(), term ? SIGTERM : SIGKILL);
    auto took = wait_holder(config, leader, t0, limit);
    replicas.at(leader)->stop(); // reaps it (the SIGTERM it sends finds it exiting already)
    if (!took) {
      ++failures;
      std::fprintf(stderr, "round %d: no new leader within %lld s\n", round,
                   static_cast<long long>(limit.count()));
    } else {
      (term ? stopped : killed).ms.push_back(static_cast<double>(took->count()));
    }
    start_replica(leader); // back to three replicas
    std::this_thread::sleep_for(std::chrono::milliseconds{static_cast<int>(retry * 1000)});
  }
  replicas.clear(); // SIGTERM to each, and waits
  std::printf("| figure | value |\n|---|---|\n");
  std::printf("| timings: lease duration / renew deadline / retry period (s) | %.1f / %.1f / %.1f "
              "|\n",
              lease, renew, retry);
  std::printf("| SIGKILL failovers: median / max (ms), of %zu | %.0f / %.0f |\n", killed.ms.size(),
              killed.median(), killed.max());
  std::printf("| bound LeaseDuration + RetryPeriod (ms) | %.0f |\n", (lease + retry) * 1000);
  std::printf("| SIGTERM failovers: median / max (ms), of %zu | %.0f / %.0f |\n", stopped.ms.size(),
              stopped.median(), stopped.max());
  std::printf("| bound RetryPeriod (ms) | %.0f |\n", retry * 1000);
  std::printf("| rounds without a new leader | %d |\n", failures);
  std::filesystem::remove_all(dir);
  return failures == 0 ? 0 : 1;
}
