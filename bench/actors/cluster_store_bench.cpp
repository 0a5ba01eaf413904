// Issue 5's figures, against a kube-sim fleet in its own process (bench/actors/run.sh starts it):
//   - time from fixing a remote secret (malformed kubeconfig → good one) to the cluster `synced`,
//     next to the time a fresh remote_cluster needs to list and sync the same cluster directly
//     (the list time), and the difference: what the secret path adds;
//   - live actors per remote cluster;
//   - resident memory per idle remote cluster (nearly empty clusters: the fixed cost).
//
// Usage: cluster_store_bench --fleet DIR --clusters N [--reps R]
//   DIR holds kube-sim's cluster-<i>.kubeconfig files; cluster-1 is the config cluster and
//   cluster-2 .. cluster-(N+1) are the remote ones.

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <fstream>
#include <future>
#include <malloc.h>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <caf/all.hpp>

#include "actors/cluster_store.hpp"
#include "actors/remote_cluster.hpp"
#include "actors/secret_watcher.hpp"
#include "bench/harness/rss.hpp"
#include "kube/kubeconfig.hpp"
#include "kube/transport.hpp"
#include "messages/registration.hpp"
#include "messages/type_ids.hpp"
#include "sim/objects.hpp"

namespace {

using namespace ambient;
using clock_type = std::chrono::steady_clock;
using namespace std::chrono_literals;

std::string slurp(const std::string& path) {
  auto text = kube::read_file(path);
  if (!text) {
    std::fprintf(stderr, "cannot read %s\n", path.c_str());
    std::exit(1);
  }
  return *text;
}

/// Records when each (cluster, generation) first reported each state; the sink of every cluster.
struct observations {
  std::mutex m;
  std::condition_variable cv;
  std::map<std::string, clock_type::time_point> synced_at; // by cluster ID, latest generation
  std::map<std::string, uint64_t> generation;

  bool wait_synced(const std::string& id, uint64_t newer_than, clock_type::time_point* at) {
    std::unique_lock g{m};
    bool ok = cv.wait_for(g, 60s, [&] {
      auto it = generation.find(id);
      return it != generation.end() && it->second > newer_than && synced_at.contains(id);
    });
    if (ok)
      *at = synced_at[id];
    return ok;
  }
};

caf::behavior observer(caf::event_based_actor*, std::shared_ptr<observations> o) {
  return {
      [o](const messages::cluster_state_report& r) {
        auto now = clock_type::now();
        std::lock_guard g{o->m};
        auto& gen = o->generation[r.cluster_id];
        if (r.generation > gen) {
          gen = r.generation;
          o->synced_at.erase(r.cluster_id);
        }
        if (r.generation == gen && r.state == fleet::lifecycle::synced
            && !o->synced_at.contains(r.cluster_id))
          o->synced_at[r.cluster_id] = now;
        o->cv.notify_all();
      },
      [](const messages::cluster_batch&) {},
      [](const messages::cluster_withdrawn&) {},
  };
}

/// Writes secrets into the config cluster through the transport (as kubectl would).
struct secret_writer {
  std::shared_ptr<kube::transport> t;
  kube::transport::client_id client;

  int call(const std::string& method, const std::string& path, std::string body) {
    std::promise<int> done;
    auto f = done.get_future();
    t->start(client, method, path, std::move(body), nullptr,
             [&done](kube::response_end e) { done.set_value(e.status); });
    return f.get();
  }
  void put(const std::string& name, const std::string& cluster, const std::string& kubeconfig) {
    auto json = sim::make_secret_json("istio-system", name, {{"istio/multiCluster", "true"}},
                                      {{cluster, kubeconfig}}, std::chrono::system_clock::now());
    auto base = std::string{"/api/v1/namespaces/istio-system/secrets"};
    int status = call("PUT", base + "/" + name, json);
    if (status == 404)
      status = call("POST", base, json);
    if (status != 200 && status != 201) {
      std::fprintf(stderr, "writing secret %s: HTTP %d\n", name.c_str(), status);
      std::exit(1);
    }
  }
  void remove(const std::string& name) {
    call("DELETE", "/api/v1/namespaces/istio-system/secrets/" + name, {});
  }
};

double ms(clock_type::duration d) {
  return std::chrono::duration<double, std::milli>(d).count();
}

double percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1,
                    static_cast<size_t>(p * static_cast<double>(v.size() - 1) + 0.5))];
}

kube::connection_settings settings_of(const std::string& kubeconfig_text) {
  auto rc = kube::parse_kubeconfig(kubeconfig_text, "bench", {});
  auto s = kube::to_connection_settings(std::get<kube::rest_config>(rc));
  return std::get<kube::connection_settings>(s);
}

} // namespace

int main(int argc, char** argv) {
  std::string fleet;
  size_t clusters = 20;
  int reps = 20;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--fleet")
      fleet = argv[i + 1];
    else if (a == "--clusters")
      clusters = std::stoul(argv[i + 1]);
    else if (a == "--reps")
      reps = std::stoi(argv[i + 1]);
  }
  if (fleet.empty() || clusters == 0) {
    std::fprintf(stderr, "usage: cluster_store_bench --fleet DIR --clusters N [--reps R]\n");
    return 2;
  }
  auto kubeconfig = [&](size_t i) {
    return slurp(fleet + "/cluster-" + std::to_string(i) + ".kubeconfig");
  };

  caf::actor_system_config cfg;
  messages::register_types(cfg);
  cfg.set("logger.file-verbosity", caf::atom("quiet"));
  caf::actor_system sys{cfg};
  auto transport = std::make_shared<kube::transport>();
  auto obs = std::make_shared<observations>();
  auto sink = sys.spawn(observer, obs);
  auto config_settings = settings_of(kubeconfig(1));
  secret_writer writer{transport, transport->add_client(config_settings)};

  actors::cluster_store_config sc;
  sc.config_cluster_id = "cluster-1";
  sc.transport = transport;
  sc.sink = sink;
  auto store = sys.spawn(actors::cluster_store_impl, sc);
  actors::secret_watcher_config wc;
  wc.transport = transport;
  wc.config_cluster_client = transport->add_client(config_settings);
  wc.config_cluster_id = "cluster-1";
  wc.cluster_store = store;
  auto watcher = sys.spawn(actors::secret_watcher_impl, wc);
  std::this_thread::sleep_for(1s); // the secret watcher lists and watches
  malloc_trim(0);
  auto base_rss = ambient::bench::own_rss_kib();
  auto base_actors = sys.registry().running();

  // 1. N idle remote clusters: actors and memory per cluster.
  auto t_all = clock_type::now();
  for (size_t i = 0; i < clusters; ++i)
    writer.put("idle-" + std::to_string(i), "idle-" + std::to_string(i), kubeconfig(2 + i));
  for (size_t i = 0; i < clusters; ++i) {
    clock_type::time_point at;
    if (!obs->wait_synced("idle-" + std::to_string(i), 0, &at)) {
      std::fprintf(stderr, "cluster idle-%zu did not sync\n", i);
      return 1;
    }
  }
  auto all_synced_ms = ms(clock_type::now() - t_all);
  std::this_thread::sleep_for(2s); // let watches settle and bookmarks flow
  malloc_trim(0);
  auto loaded_rss = ambient::bench::own_rss_kib();
  auto loaded_actors = sys.registry().running();

  // 2. Secret fix → synced, against a direct remote_cluster start (the list time).
  std::vector<double> fix_ms, list_ms;
  auto good = kubeconfig(2);
  for (int r = 0; r < reps; ++r) {
    auto id = "fix-" + std::to_string(r);
    writer.put(id, id, "apiVersion: v1\nclusters: [unclosed");
    std::this_thread::sleep_for(100ms); // the failed entry is stored
    uint64_t gen_before = 0;
    {
      std::lock_guard g{obs->m};
      gen_before = obs->generation[id];
    }
    auto t0 = clock_type::now();
    writer.put(id, id, good);
    clock_type::time_point at;
    if (!obs->wait_synced(id, gen_before, &at)) {
      std::fprintf(stderr, "%s did not sync\n", id.c_str());
      return 1;
    }
    fix_ms.push_back(ms(at - t0));
    writer.remove(id);

    actors::remote_cluster_config rc;
    rc.cluster_id = "direct-" + std::to_string(r);
    rc.generation = 1;
    rc.settings = settings_of(good);
    rc.transport = transport;
    rc.parent = sink;
    rc.sink = sink;
    auto t1 = clock_type::now();
    auto direct = sys.spawn(actors::remote_cluster_impl, rc);
    if (!obs->wait_synced(rc.cluster_id, 0, &at)) {
      std::fprintf(stderr, "%s did not sync\n", rc.cluster_id.c_str());
      return 1;
    }
    list_ms.push_back(ms(at - t1));
    caf::anon_send_exit(direct, caf::exit_reason::user_shutdown);
    std::this_thread::sleep_for(50ms);
  }

  std::printf("# cluster_store bench: %zu idle remote clusters, %d fix repetitions\n", clusters,
              reps);
  std::printf("| figure | value |\n|---|---|\n");
  std::printf("| first of %zu secrets written → all %zu clusters synced | %.0f ms |\n", clusters,
              clusters, all_synced_ms);
  std::printf("| live actors per remote cluster | %.2f |\n",
              static_cast<double>(loaded_actors - base_actors) / static_cast<double>(clusters));
  std::printf("| RSS per idle remote cluster | %.0f KiB |\n",
              static_cast<double>(loaded_rss - base_rss) / static_cast<double>(clusters));
  std::printf("| secret fix → synced, p50 / p99 | %.1f / %.1f ms |\n", percentile(fix_ms, 0.5),
              percentile(fix_ms, 0.99));
  std::printf("| direct remote_cluster start → synced (list time), p50 / p99 | %.1f / %.1f ms |\n",
              percentile(list_ms, 0.5), percentile(list_ms, 0.99));
  std::printf("| secret path overhead (fix − list), p50 | %.1f ms |\n",
              percentile(fix_ms, 0.5) - percentile(list_ms, 0.5));
  caf::anon_send_exit(watcher, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(store, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(sink, caf::exit_reason::user_shutdown);
  return 0;
}
