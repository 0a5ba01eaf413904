// Issue 7's xDS bench: the xds_publisher actor behind ambientd's gRPC ADS service, in this
// process, against delta ADS client streams in a child process (this binary with --client), so
// the server's memory is measured alone. Figures:
//   - idle memory per delta stream that holds the view (server RSS before/after, over N streams);
//   - fan-out: one workload change delivered to N streams, latency per stream from the moment the
//     change reached the publisher (CLOCK_MONOTONIC is shared by both processes), p50/p99/max;
//   - full state: W workloads pushed to C fresh clients at once, time until every client holds
//     the view, next to the loopback byte limit: the same number of bytes through a 127.0.0.1 TCP
//     connection, measured in the same run.
//   - with --tokens N, instead: issue 24's N ztunnel-like clients connecting at once, plaintext
//     and over TLS with a bound token each (cold review cache, then reconnecting): p50/p99 time
//     to the first Address response (bench/xds/token_bench.hpp).
// Usage: xds_bench [--streams N] [--rounds R] [--view W] [--full W] [--full-clients C]
//                  [--tokens N [--review-deadline-ms D]]
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <caf/all.hpp>
#include <grpcpp/grpcpp.h>

#include "actors/xds_publisher.hpp"
#include "bench/clock.hpp"
#include "bench/harness/rss.hpp"
#include "bench/xds/client_process.hpp"
#include "bench/xds/delta_fleet.hpp"
#include "bench/xds/loopback.hpp"
#include "bench/xds/token_bench.hpp"
#include "mesh/context.hpp"
#include "mesh/resource.hpp"
#include "messages/registration.hpp"
#include "messages/type_ids.hpp"

using namespace ambient;
using bench::now_ns;
using clock_type = std::chrono::steady_clock;

namespace {

struct options {
  int streams = 1000;
  int rounds = 50;
  int view = 1000;
  int full = 40000;
  int full_clients = 10;
  int tokens = 0; ///< > 0: only issue 24's token reconnect scenario, with this many clients
  int review_deadline_ms = 5000; ///< the token reviewer's deadline there (ambientd's default)
};

options parse(int argc, char** argv) {
  options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i];
    int v = std::stoi(argv[i + 1]);
    if (k == "--streams")
      o.streams = v;
    else if (k == "--rounds")
      o.rounds = v;
    else if (k == "--view")
      o.view = v;
    else if (k == "--full")
      o.full = v;
    else if (k == "--full-clients")
      o.full_clients = v;
    else if (k == "--tokens")
      o.tokens = v;
    else if (k == "--review-deadline-ms")
      o.review_deadline_ms = v;
    else
      throw std::invalid_argument("unknown flag " + k);
  }
  return o;
}

/// Workload i of the synthetic view: a pod of service i/40 in namespace ns-(i%20), as the mesh
/// builds them (uid, names, address, network, identity, service ports).
mesh::address_ptr workload(int i, int generation = 0) {
  istio::workload::Address a;
  auto* w = a.mutable_workload();
  auto ns = "ns-" + std::to_string(i % 20);
  auto name = "pod-" + std::to_string(i);
  w->set_uid("cluster-2//Pod/" + ns + "/" + name);
  w->set_name(name);
  w->set_namespace_(ns);
  uint32_t ip = (10u << 24) + static_cast<uint32_t>(i) + 1 + (generation << 20);
  w->add_addresses(std::string{static_cast<char>(ip >> 24), static_cast<char>(ip >> 16),
                               static_cast<char>(ip >> 8), static_cast<char>(ip)});
  w->set_network("net-1");
  w->set_tunnel_protocol(istio::workload::HBONE);
  w->set_trust_domain("cluster.local");
  w->set_service_account("sa-" + std::to_string(i / 40));
  w->set_node("node-" + std::to_string(i % 50));
  w->set_canonical_name("app-" + std::to_string(i / 40));
  w->set_canonical_revision("v1");
  w->set_workload_name("app-" + std::to_string(i / 40));
  w->set_cluster_id("cluster-2");
  auto key = ns + "/svc-" + std::to_string(i / 40) + "." + ns + ".svc.cluster.local";
  auto* port = (*w->mutable_services())[key].add_ports();
  port->set_service_port(80);
  port->set_target_port(8080);
  return mesh::make_resource(w->uid(), std::move(a));
}

int run_server(const std::string& self, const options& o) {
  caf::actor_system_config cfg;
  messages::register_types(cfg);
  caf::actor_system sys{cfg};
  telemetry::registry metrics;
  auto publisher
      = sys.spawn(actors::xds_publisher_impl, actors::xds_publisher_config{&metrics, {}});
  xds::ads_service service{actors::forward_to(publisher)};
  grpc::ServerBuilder b;
  int port = 0;
  b.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
  b.RegisterService(&service);
  b.SetMaxSendMessageSize(-1);
  auto server = b.BuildAndStart();
  uint64_t version = 0;
  auto send = [&](std::vector<mesh::address_ptr> up) {
    auto d = std::make_shared<mesh::mesh_delta>();
    d->version = ++version;
    d->upserted = std::move(up);
    d->received = clock_type::now();
    auto stamp = now_ns();
    caf::anon_send(publisher, messages::mesh_delta_ptr{std::move(d)});
    return stamp;
  };
  std::vector<mesh::address_ptr> view;
  for (int i = 0; i < o.view; ++i)
    view.push_back(workload(i));
  send(view);
  auto sync = [&] {
    caf::scoped_actor s{sys};
    s->request(publisher, std::chrono::seconds{60}, atom::status_v)
        .receive([](size_t) {}, [](const caf::error&) {});
  };
  sync();
  std::this_thread::sleep_for(std::chrono::milliseconds{300});
  long rss0 = ambient::bench::own_rss_kib();

  // Idle streams and fan-out.
  {
    bench::client_process c{
        self, {"--port", std::to_string(port), "--streams", std::to_string(o.streams)}};
    if (c.line() != "ready")
      throw std::runtime_error("client not ready");
    std::this_thread::sleep_for(std::chrono::seconds{1});
    long rss1 = ambient::bench::own_rss_kib();
    std::map<uint64_t, int64_t> stamps;
    for (int r = 0; r < o.rounds; ++r) {
      auto stamp = send({workload(r % o.view, r + 1)});
      stamps[version] = stamp;
      auto got = c.line(); // "got <version>"
      if (got != "got " + std::to_string(version))
        throw std::runtime_error("unexpected: " + got);
    }
    c.say("dump");
    std::vector<double> lat_ms, spread_ms;
    std::map<uint64_t, std::pair<int64_t, int64_t>> span; // first/last arrival
    for (std::string l = c.line(); l != "end"; l = c.line()) {
      std::istringstream in{l};
      uint64_t v;
      int64_t ns;
      in >> v >> ns;
      auto it = stamps.find(v);
      if (it == stamps.end())
        continue;
      lat_ms.push_back(static_cast<double>(ns - it->second) / 1e6);
      auto& sp = span.try_emplace(v, ns, ns).first->second;
      sp.first = std::min(sp.first, ns);
      sp.second = std::max(sp.second, ns);
    }
    std::vector<double> last_ms;
    for (auto& [v, sp] : span)
      last_ms.push_back(static_cast<double>(sp.second - stamps[v]) / 1e6);
    std::printf("| idle delta streams holding a %d-workload view | %d |\n", o.view, o.streams);
    std::printf("| server RSS before / after they connect | %.1f / %.1f MiB |\n", rss0 / 1024.0,
                rss1 / 1024.0);
    std::printf("| memory per idle stream (server) | %.1f KiB |\n",
                static_cast<double>(rss1 - rss0) / o.streams);
    std::printf("| fan-out: one change → each of %d streams, p50 / p99 / max (%zu samples) | "
                "%.2f / %.2f / %.2f ms |\n",
                o.streams, lat_ms.size(), bench::percentile(lat_ms, 0.5),
                bench::percentile(lat_ms, 0.99), bench::percentile(lat_ms, 1.0));
    std::printf("| fan-out: change → last of %d streams, p50 / max over %d rounds | %.2f / %.2f ms "
                "|\n",
                o.streams, o.rounds, bench::percentile(last_ms, 0.5),
                bench::percentile(last_ms, 1.0));
  }

  // Full state to fresh clients, once the fan-out streams are gone.
  std::this_thread::sleep_for(std::chrono::seconds{2});
  {
    std::vector<mesh::address_ptr> more;
    for (int i = o.view; i < o.full; ++i)
      more.push_back(workload(i));
    send(more);
    sync();
    bench::client_process c{self,
                            {"--port", std::to_string(port), "--streams",
                             std::to_string(o.full_clients), "--channels",
                             std::to_string(o.full_clients), "--full", "1"}};
    std::vector<double> per_client_ms;
    int64_t first = INT64_MAX, last = 0;
    uint64_t bytes = 0;
    for (std::string l = c.line(); l != "end"; l = c.line()) {
      if (l.starts_with("retries"))
        continue;
      std::istringstream in{l};
      int64_t start, done;
      uint64_t n;
      in >> start >> done >> n;
      per_client_ms.push_back(static_cast<double>(done - start) / 1e6);
      first = std::min(first, start);
      last = std::max(last, done);
      bytes += n;
    }
    double push_s = static_cast<double>(last - first) / 1e9;
    double loop_s = bench::loopback_seconds(bytes);
    std::printf("| full state: %d workloads to %d fresh clients at once, per client p50 / max | "
                "%.0f / %.0f ms |\n",
                o.full, o.full_clients, bench::percentile(per_client_ms, 0.5),
                bench::percentile(per_client_ms, 1.0));
    std::printf("| full state: all %d clients hold it after | %.0f ms (%.1f MiB, %.0f MiB/s) |\n",
                o.full_clients, push_s * 1e3, static_cast<double>(bytes) / (1 << 20),
                static_cast<double>(bytes) / (1 << 20) / push_s);
    std::printf("| loopback byte limit: the same bytes over 127.0.0.1 TCP | %.0f ms (%.0f MiB/s) "
                "|\n",
                loop_s * 1e3, static_cast<double>(bytes) / (1 << 20) / loop_s);
    std::printf("| full state ÷ loopback limit | %.2f× |\n", push_s / loop_s);
  }
  server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds{2});
  caf::anon_send_exit(publisher, caf::exit_reason::user_shutdown);
  caf::scoped_actor {
    sys
    } -> wait_for(publisher); // it uses `metrics` until it is gone
  return 0;
}

} // namespace

int main(int argc, char** argv) {
  try {
    if (argc > 1 && std::string{argv[1]} == "--client")
      return bench::run_delta_fleet(argc - 2, argv + 2);
    auto o = parse(argc, argv);
    std::printf("| xDS figure | value |\n|---|---|\n");
    if (o.tokens > 0) {
      std::vector<mesh::address_ptr> view;
      for (int i = 0; i < o.view; ++i)
        view.push_back(workload(i));
      bench::run_token_bench("/proc/self/exe", o.tokens, view,
                             std::chrono::milliseconds{o.review_deadline_ms});
      return 0;
    }
    return run_server("/proc/self/exe", o);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "xds_bench: %s\n", e.what());
    return 1;
  }
}
