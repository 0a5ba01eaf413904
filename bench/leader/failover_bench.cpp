// Leader failover: three ambientd replicas against an in-process kube-sim config cluster; the
// leader is killed (SIGKILL) or stopped (SIGTERM) again and again, and the bench times how long
// the Lease takes to name another holder. Prints median and max per kind against the bounds the
// timings promise. Usage:
//   failover_bench AMBIENTD [--kills N] [--lease-duration S] [--renew-deadline S] [--retry-period
//   S]
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "sim/fleet.hpp"
#include "sim/json.hpp"
#include "sim/resources.hpp"

extern char** environ;

using namespace ambient;

namespace {

using namespace std::chrono_literals;
using steady = std::chrono::steady_clock;

/// Starts argv with stdout/stderr to `log` and no other inherited descriptor.
pid_t spawn(const std::vector<std::string>& argv, const std::string& log) {
  int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fd, STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, fd, STDERR_FILENO);
  posix_spawn_file_actions_addclosefrom_np(&actions, STDERR_FILENO + 1);
  std::vector<char*> args;
  for (const auto& a : argv)
    args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = -1;
  if (posix_spawn(&pid, args[0], &actions, nullptr, args.data(), environ) != 0)
    pid = -1;
  posix_spawn_file_actions_destroy(&actions);
  ::close(fd);
  return pid;
}

std::string holder(sim::sim_cluster& c) {
  const auto& leases = *sim::find_resource("coordination.k8s.io", "v1", "leases");
  auto got = c.data().get(leases, "istio-system", "ambientd-leader");
  if (got.error || !got.object)
    return {};
  auto doc = sim::parse_json(got.object->json, nullptr);
  const auto* h = doc ? sim::find_path(*doc, {"spec", "holderIdentity"}) : nullptr;
  return h && h->is_string() ? h->get<std::string>() : "";
}

/// Waits until the Lease names a holder other than `old` ("" counts as none); how long it took.
std::optional<std::chrono::milliseconds> wait_holder(sim::sim_cluster& c, const std::string& old,
                                                     steady::time_point since,
                                                     std::chrono::seconds limit) {
  while (steady::now() - since < limit) {
    auto h = holder(c);
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
  std::map<std::string, pid_t> replicas;
  auto start_replica = [&](const std::string& id) {
    replicas[id]
        = spawn({ambientd, "--cluster-id", "cluster-1", "--kubeconfig", config.kubeconfig_path(),
                 "--xds-address", "127.0.0.1:0", "--monitoring-address", "127.0.0.1:0",
                 "--debug-address", "127.0.0.1:0", "--identity", id, "--lease-duration",
                 secs(lease), "--renew-deadline", secs(renew), "--retry-period", secs(retry)},
                (dir / (id + ".log")).string());
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
    auto leader = holder(config);
    auto t0 = steady::now();
    ::kill(replicas.at(leader), term ? SIGTERM : SIGKILL);
    auto took = wait_holder(config, leader, t0, limit);
    ::waitpid(replicas.at(leader), nullptr, 0);
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
  for (auto& [id, pid] : replicas) {
    ::kill(pid, SIGTERM);
    ::waitpid(pid, nullptr, 0);
  }
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
