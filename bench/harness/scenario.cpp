#include "bench/harness/scenario.hpp"

#include <chrono>
#include <cstdio>
#include <stdexcept>
#include <thread>

namespace ambient::bench {

std::string context::get(const std::string& k, const std::string& normal,
                         const std::string& smoke_v) {
  auto it = f.find(k);
  return it != f.end() ? it->second : (smoke ? smoke_v : normal);
}

int context::num(const std::string& k, int normal, int smoke_v) {
  return std::stoi(get(k, std::to_string(normal), std::to_string(smoke_v)));
}

void sleep_s(double s) {
  std::this_thread::sleep_for(std::chrono::duration<double>(s));
}

void log(const std::string& s) {
  std::fprintf(stderr, "[bench %7.1fs] %s\n", static_cast<double>(now_ns()) / 1e9, s.c_str());
}

std::string cluster(int i) {
  return "cluster-" + std::to_string(i + 1);
}

stack::stack(context& c, int n, int services, int pods, bool secrets,
             const std::vector<std::string>& ambientd_flags,
             const std::function<void(sim_process&)>& before_ambientd)
  : sim(c.kube_sim, n, c.work + "/fleet", 2) {
  for (int i = 0; i < n; ++i) {
    ids.push_back(cluster(i));
    if (pods > 0)
      sim.admin(cluster(i), "seed?namespaces=10&nodes=20&services=" + std::to_string(services)
                                + "&pods=" + std::to_string(pods));
  }
  log("kube-sim: " + std::to_string(n) + " clusters seeded with " + std::to_string(pods)
      + " pods each");
  if (secrets)
    for (int i = 1; i < n; ++i)
      sim.put_remote_secret(cluster(i));
  if (before_ambientd)
    before_ambientd(sim);
  amb = std::make_unique<ambientd_process>(c.ambientd, sim, c.work + "/ambientd.log",
                                           ambientd_flags);
  if (secrets && !amb->wait_synced(ids, 600))
    throw std::runtime_error("ambientd did not sync every cluster (see " + c.work
                             + "/ambientd.log)");
  log("ambientd synced");
  if (secrets && pods > 0) {
    // "synced" is the informers' state; the merged view (and so what a client is sent
    // first) takes a little longer to hold every cluster's workloads.
    auto view = amb->wait_view(static_cast<long>(n) * pods, 600);
    if (view < 0)
      throw std::runtime_error("ambientd's merged view never held every cluster's pods (see "
                               + c.work + "/ambientd.log)");
    log("merged view: " + std::to_string(view) + " Addresses");
  }
}

} // namespace ambient::bench
