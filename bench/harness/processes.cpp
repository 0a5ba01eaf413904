#include "bench/harness/processes.hpp"

#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "kube/kubeconfig.hpp"
#include "kube/transport.hpp"
#include "sim/json.hpp"
#include "sim/objects.hpp"
#include "support/ambientd_command.hpp"
#include "support/http_get.hpp"

extern char** environ;

namespace ambient::bench {

namespace {

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "bench: %s\n", what.c_str());
  std::fflush(stderr);
  std::exit(1);
}

/// The file's text, or "" when it cannot be read (a process that just ended).
std::string read_file(const std::string& path) {
  return kube::read_file(path).value_or("");
}

} // namespace

proc_stats read_stats(pid_t pid) {
  proc_stats s;
  // CPU time in ns: the first field of every thread's schedstat (the process's stat counts in
  // 10 ms clock ticks, too coarse for an idle process's few milliseconds a second).
  std::error_code ec;
  double ns = 0;
  for (const auto& task :
       std::filesystem::directory_iterator{"/proc/" + std::to_string(pid) + "/task", ec}) {
    std::istringstream in{read_file(task.path().string() + "/schedstat")};
    double run = 0;
    if (in >> run)
      ns += run;
  }
  auto stat = read_file("/proc/" + std::to_string(pid) + "/stat");
  // Fields after the parenthesised command name: state is field 3, utime 14, stime 15.
  auto close = stat.rfind(')');
  if (close != std::string::npos) {
    std::istringstream in{stat.substr(close + 2)};
    std::vector<std::string> f{std::istream_iterator<std::string>{in},
                               std::istream_iterator<std::string>{}};
    if (f.size() > 13) {
      double tick = static_cast<double>(::sysconf(_SC_CLK_TCK));
      s.cpu_seconds = (std::stod(f[11]) + std::stod(f[12])) / tick;
    }
  }
  // Threads that already ended are only in the tick counts: keep the larger of the two.
  s.cpu_seconds = std::max(s.cpu_seconds, ns / 1e9);
  std::istringstream status{read_file("/proc/" + std::to_string(pid) + "/status")};
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0)
      s.rss_mib = std::stod(line.substr(6)) / 1024.0;
    else if (line.rfind("VmHWM:", 0) == 0)
      s.peak_rss_mib = std::stod(line.substr(6)) / 1024.0;
  }
  return s;
}

double percentile(std::vector<double>& v, double p) {
  if (v.empty())
    return NAN;
  std::sort(v.begin(), v.end());
  auto i = static_cast<size_t>(std::ceil(p * static_cast<double>(v.size()))) - 1;
  return v[std::min(i, v.size() - 1)];
}

sim_process::sim_process(const std::string& binary, int clusters, const std::string& dir,
                         int threads)
  : dir_(dir) {
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  proc_ = std::make_unique<test::child_process>(
      std::vector<std::string>{binary, "--clusters", std::to_string(clusters), "--dir", dir,
                               "--threads", std::to_string(threads), "--history-limit", "1000000",
                               "--log-level", "warn"},
      dir + "/kube-sim.log");
  for (int i = 0; i < 300 && !std::filesystem::exists(dir + "/fleet.json"); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds{50});
  auto doc = sim::parse_json(read_file(dir + "/fleet.json"), nullptr);
  const auto* admin = doc ? sim::find_path(*doc, {"admin"}) : nullptr;
  if (!admin || !admin->is_string())
    die("kube-sim did not start (see " + dir + "/kube-sim.log)");
  admin_url_ = admin->get<std::string>();
}

void sim_process::admin(const std::string& cluster, const std::string& action_and_query) {
  test::https_client c;
  auto r = c.request("POST", admin_url_ + "/clusters/" + cluster + "/" + action_and_query);
  if (r.status != 200)
    die("kube-sim admin " + cluster + "/" + action_and_query + ": " + std::to_string(r.status) + " "
        + r.body + r.error);
}

std::string sim_process::admin_get(const std::string& path) {
  auto r = test::http_get(admin_url_ + path);
  if (r.status != 200)
    die("kube-sim admin GET " + path + ": " + std::to_string(r.status));
  return r.body;
}

std::string sim_process::kubeconfig(const std::string& cluster) const {
  return read_file(kubeconfig_path(cluster));
}

test::https_client sim_process::api(const std::string& cluster, std::string* server) const {
  auto parsed = kube::parse_kubeconfig(kubeconfig(cluster), cluster, {});
  auto* rc = std::get_if<kube::rest_config>(&parsed);
  if (!rc)
    die("kubeconfig of " + cluster + ": " + std::get<kube::kubeconfig_error>(parsed).message);
  test::https_client c;
  c.ca_pem = rc->ca_pem;
  c.token = rc->token;
  *server = rc->server;
  return c;
}

void sim_process::put_remote_secret(const std::string& cluster) {
  std::string error;
  if (!put_secret("istio-remote-secret-" + cluster, {{cluster, kubeconfig(cluster)}}, &error))
    die(error);
}

bool sim_process::put_secret(const std::string& name,
                             const std::map<std::string, std::string>& data, std::string* error) {
  std::string server;
  auto c = api("cluster-1", &server);
  auto json = sim::make_secret_json("istio-system", name, {{"istio/multiCluster", "true"}}, data,
                                    std::chrono::system_clock::now());
  auto base = server + "/api/v1/namespaces/istio-system/secrets";
  auto r = c.request("PUT", base + "/" + name, json);
  if (r.status == 404)
    r = c.request("POST", base, json);
  if (r.status == 200 || r.status == 201)
    return true;
  if (error)
    *error
        = "writing secret " + name + ": HTTP " + std::to_string(r.status) + " " + r.body + r.error;
  return false;
}

bool sim_process::delete_secret(const std::string& name, std::string* error) {
  std::string server;
  auto c = api("cluster-1", &server);
  auto r = c.request("DELETE", server + "/api/v1/namespaces/istio-system/secrets/" + name);
  if (r.status == 200 || r.status == 404)
    return true;
  if (error)
    *error
        = "deleting secret " + name + ": HTTP " + std::to_string(r.status) + " " + r.body + r.error;
  return false;
}

std::map<std::string, int64_t> sim_process::stamps(const std::string& cluster, int index,
                                                   const std::string& tag) {
  std::map<std::string, int64_t> out;
  std::istringstream in{admin_get("/clusters/" + cluster + "/stamps?tag=" + tag)};
  std::string n;
  int64_t at = 0;
  auto prefix = "s" + std::to_string(index) + "-" + tag + "-";
  while (in >> n >> at)
    out[prefix + n] = at;
  return out;
}

ambientd_process::ambientd_process(const std::string& binary, const sim_process& sim,
                                   const std::string& log, const std::vector<std::string>& extra) {
  std::vector<std::string> flags{"--leader-election=false"};
  flags.insert(flags.end(), extra.begin(), extra.end());
  proc_ = std::make_unique<test::child_process>(
      test::ambientd_argv(binary, sim.kubeconfig_path("cluster-1"), flags), log);
  auto port = [&](const std::string& what) {
    auto p = test::wait_served_port(*proc_, what, std::chrono::seconds{30});
    if (!p)
      die("ambientd did not serve " + what + " (see " + log + ")");
    return *p;
  };
  xds_port_ = port("ADS");
  monitoring_port_ = port(R"(/metrics, /healthz, /readyz)");
  debug_port_ = port("/debug and the dashboard");
}

std::map<std::string, std::string> ambientd_process::cluster_states() {
  std::map<std::string, std::string> out;
  auto r = test::http_get("http://127.0.0.1:" + std::to_string(debug_port_) + "/debug/clusterz");
  auto doc = r.status == 200 ? sim::parse_json(r.body, nullptr) : std::nullopt;
  if (doc && doc->is_array())
    for (const auto& c : *doc) {
      const auto* id = sim::find_path(c, {"id"});
      const auto* state = sim::find_path(c, {"state"});
      if (id && state && id->is_string() && state->is_string())
        out[id->get<std::string>()] = state->get<std::string>();
    }
  return out;
}

bool ambientd_process::wait_synced(const std::vector<std::string>& ids, double limit_s) {
  auto until = now_ns() + static_cast<int64_t>(limit_s * 1e9);
  while (now_ns() < until && proc_->running()) {
    auto states = cluster_states();
    if (std::all_of(ids.begin(), ids.end(),
                    [&](const std::string& id) { return states[id] == "synced"; }))
      return true;
    std::this_thread::sleep_for(std::chrono::milliseconds{10});
  }
  return false;
}

long ambientd_process::address_resources() {
  auto r = test::http_get("http://127.0.0.1:" + std::to_string(debug_port_) + "/debug/xds");
  auto doc = r.status == 200 ? sim::parse_json(r.body, nullptr) : std::nullopt;
  const auto* tables = doc ? sim::find_path(*doc, {"tables"}) : nullptr;
  if (tables && tables->is_array())
    for (const auto& t : *tables) {
      const auto* type = sim::find_path(t, {"typeUrl"});
      const auto* n = sim::find_path(t, {"resources"});
      if (type && n && n->is_number_integer()
          && *type == "type.googleapis.com/istio.workload.Address")
        return n->get<long>();
    }
  return -1;
}

long ambientd_process::wait_view(long min, double limit_s) {
  auto until = now_ns() + static_cast<int64_t>(limit_s * 1e9);
  long last = -1;
  int64_t stable_since = 0;
  while (now_ns() < until && proc_->running()) {
    auto n = address_resources();
    if (n != last) {
      last = n;
      stable_since = now_ns();
    } else if (n >= min && now_ns() - stable_since >= 300'000'000) {
      return n;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds{20});
  }
  return -1;
}

double ambientd_process::metric_sum(const std::string& name) {
  auto r = test::http_get("http://127.0.0.1:" + std::to_string(monitoring_port_) + "/metrics");
  double sum = 0;
  std::istringstream in{r.body};
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(name, 0) != 0 || line.size() <= name.size()
        || (line[name.size()] != '{' && line[name.size()] != ' '))
      continue;
    sum += std::stod(line.substr(line.rfind(' ') + 1));
  }
  return sum;
}

fleet_process::fleet_process(const std::string& self, int port, int streams, int channels,
                             bool full, bool stamps) {
  int in_pipe[2], out_pipe[2];
  if (::pipe(in_pipe) != 0 || ::pipe(out_pipe) != 0)
    die("pipe");
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, in_pipe[0], 0);
  posix_spawn_file_actions_adddup2(&fa, out_pipe[1], 1);
  posix_spawn_file_actions_addclosefrom_np(&fa, 3);
  std::vector<std::string> all{self,         "fleet",
                               "--port",     std::to_string(port),
                               "--streams",  std::to_string(streams),
                               "--channels", std::to_string(channels),
                               "--full",     full ? "1" : "0",
                               "--stamps",   stamps ? "1" : "0"};
  std::vector<char*> argv;
  for (auto& a : all)
    argv.push_back(a.data());
  argv.push_back(nullptr);
  if (posix_spawn(&pid_, self.c_str(), &fa, nullptr, argv.data(), environ) != 0)
    die("cannot start the xDS client fleet");
  posix_spawn_file_actions_destroy(&fa);
  ::close(in_pipe[0]);
  ::close(out_pipe[1]);
  to_ = fdopen(in_pipe[1], "w");
  from_ = fdopen(out_pipe[0], "r");
}

fleet_process::~fleet_process() {
  if (to_)
    fclose(to_);
  if (from_)
    fclose(from_);
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
}

std::string fleet_process::line() {
  std::string s;
  int ch;
  while ((ch = fgetc(from_)) != EOF && ch != '\n')
    s.push_back(static_cast<char>(ch));
  if (ch == EOF && s.empty())
    die("the xDS client fleet ended");
  return s;
}

void fleet_process::say(const std::string& s) {
  std::fputs((s + "\n").c_str(), to_);
  std::fflush(to_);
}

} // namespace ambient::bench
