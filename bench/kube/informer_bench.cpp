// Issue 4's figures: decode throughput next to simdjson merely parsing the same bytes, and the
// time and memory to LIST and cache every pod of a kube-sim cluster through a real informer.
//
// Usage: kube_informer_bench --events N [--kubeconfig FILE]
//   without --kubeconfig only the decode figures are printed.

#include <chrono>
#include <cstdio>
#include <fstream>
#include <malloc.h>
#include <sstream>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include <caf/all.hpp>
#include <simdjson.h>

#include "actors/informer.hpp"
#include "bench/harness/rss.hpp"
#include "kube/api_envelope.hpp"
#include "kube/decode.hpp"
#include "kube/kubeconfig.hpp"
#include "messages/registration.hpp"
#include "messages/type_ids.hpp"
#include "sim/objects.hpp"

namespace {

using clock_type = std::chrono::steady_clock;

struct cache_state {
  std::mutex m;
  std::unordered_map<std::string, ambient::kube::pod> pods;
  bool synced = false;
};

caf::behavior cache_actor(caf::event_based_actor*, std::shared_ptr<cache_state> c) {
  return {
      [c](const ambient::messages::informer_batch_ptr& b) {
        std::lock_guard g{c->m};
        for (const auto& ch : b->changes) {
          if (ch.type == ambient::messages::object_change::deleted)
            c->pods.erase(ch.key);
          else
            c->pods.insert_or_assign(ch.key, std::get<ambient::kube::pod>(*ch.object));
        }
      },
      [c](const ambient::messages::informer_health& h) {
        std::lock_guard g{c->m};
        c->synced = c->synced || h.synced;
      },
  };
}

/// A watch event of the EndpointSlice the controller keeps for a Service of `endpoints` pods: each
/// endpoint with its address, conditions, node, zone and targetRef, and two ports.
std::string slice_event(size_t i, size_t endpoints) {
  std::string svc = "svc-" + std::to_string(i % 1000);
  std::string ns = "app-" + std::to_string(i % 20);
  std::string out = R"({"type":"MODIFIED","object":{"kind":"EndpointSlice",)"
                    R"("apiVersion":"discovery.k8s.io/v1","metadata":{"name":")"
                    + svc + "-" + std::to_string(i) + R"(","generateName":")" + svc
                    + R"(-","namespace":")" + ns + R"(","uid":"6b3c1f0e-0d5f-4c55-9f7e-)"
                    + std::to_string(100000000000 + i) + R"(","resourceVersion":")"
                    + std::to_string(1000 + i)
                    + R"(","labels":{"endpointslice.kubernetes.io/managed-by":)"
                      R"("endpointslice-controller.k8s.io","kubernetes.io/service-name":")"
                    + svc + R"("}},"addressType":"IPv4","endpoints":[)";
  for (size_t e = 0; e < endpoints; ++e) {
    auto pod = svc + "-5d8f7c9b4-" + std::to_string(e);
    out += (e ? "," : "") + std::string{R"({"addresses":[")"}
           + ambient::sim::pod_ip(0, static_cast<uint32_t>(i * endpoints + e))
           + R"("],"conditions":{"ready":true,"serving":true,"terminating":false},)"
             R"("nodeName":"node-)"
           + std::to_string(e % 50)
           + R"(","zone":"zone-a","targetRef":{"kind":"Pod",)"
             R"("namespace":")"
           + ns + R"(","name":")" + pod + R"(","uid":"0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"}})";
  }
  return out
         + R"(],"ports":[{"name":"http","port":8080,"protocol":"TCP"},)"
           R"({"name":"grpc","port":9090,"protocol":"TCP"}]}})";
}

/// Issue 23's figure: decoding an EndpointSlice event against a pod event (`pod_decode_s` for n).
void slice_figures(size_t n, double pod_decode_s) {
  for (size_t endpoints : {size_t{1}, size_t{10}}) {
    std::vector<std::string> events;
    events.reserve(n);
    for (size_t i = 0; i < n; ++i)
      events.push_back(slice_event(i, endpoints));
    auto t0 = clock_type::now();
    size_t decoded = 0;
    for (const auto& e : events) {
      auto ev = ambient::kube::decode_watch_event(ambient::kube::resource_kind::endpoint_slices, e);
      if (auto* w = std::get_if<ambient::kube::watch_event>(&ev))
        decoded += w->item.object.has_value();
    }
    double s = std::chrono::duration<double>(clock_type::now() - t0).count();
    std::printf("| decode_watch_event, EndpointSlice of %zu endpoints (%zu decoded, %zu B): "
                "events/s | %.0f |\n",
                endpoints, decoded, events[0].size(), static_cast<double>(n) / s);
    std::printf("| EndpointSlice (%zu endpoints) / pod event decode time ratio | %.2f |\n",
                endpoints, s / pod_decode_s);
  }
}

void decode_figures(size_t n) {
  std::vector<std::string> events;
  events.reserve(n);
  auto now = std::chrono::system_clock::now();
  size_t bytes = 0;
  for (size_t i = 0; i < n; ++i) {
    ambient::sim::pod_params p;
    p.namespace_ = "app-" + std::to_string(i % 20);
    p.owner_name = "svc-" + std::to_string(i % 1000) + "-5d8f7c9b4";
    p.name = p.owner_name + "-" + std::to_string(i);
    p.node_name = "node-" + std::to_string(i % 50);
    p.pod_ip = ambient::sim::pod_ip(0, static_cast<uint32_t>(i));
    p.host_ip = "10.250.0.1";
    p.labels = {{"app", "svc-" + std::to_string(i % 1000)}, {"version", "v1"}};
    p.container_ports = {{"http", 8080}};
    auto obj = ambient::sim::make_pod_json(p, now);
    auto rv = std::to_string(1000 + i);
    obj.insert(obj.find("\"name\""), "\"resourceVersion\":\"" + rv + "\",");
    events.push_back(R"({"type":"MODIFIED","object":)" + obj + "}");
    bytes += events.back().size();
  }
  // simdjson alone: parse every event into its DOM.
  simdjson::dom::parser parser;
  auto t0 = clock_type::now();
  size_t ok = 0;
  for (const auto& e : events) {
    simdjson::dom::element doc;
    ok += parser.parse(e).get(doc) == simdjson::SUCCESS;
  }
  double parse_s = std::chrono::duration<double>(clock_type::now() - t0).count();
  // ambientd: frame the event and decode it into the compact pod struct.
  t0 = clock_type::now();
  size_t decoded = 0;
  for (const auto& e : events) {
    auto ev = ambient::kube::decode_watch_event(ambient::kube::resource_kind::pods, e);
    if (auto* w = std::get_if<ambient::kube::watch_event>(&ev))
      decoded += w->item.object.has_value();
  }
  double decode_s = std::chrono::duration<double>(clock_type::now() - t0).count();
  std::printf("| watch events (realistic pods) | %zu (%.1f MB, %zu parsed, %zu decoded) |\n", n,
              static_cast<double>(bytes) / 1e6, ok, decoded);
  std::printf("| simdjson DOM parse only: events/s | %.0f |\n", static_cast<double>(n) / parse_s);
  std::printf("| decode_watch_event (with the pod): pods/s | %.0f |\n",
              static_cast<double>(n) / decode_s);
  std::printf("| decode / parse-only throughput ratio | %.2f |\n", parse_s / decode_s);
  slice_figures(n, decode_s);
}

int list_and_cache(const std::string& kubeconfig_path) {
  std::ifstream in{kubeconfig_path};
  std::stringstream text;
  text << in.rdbuf();
  auto parsed = ambient::kube::parse_kubeconfig(text.str(), "bench", {});
  if (auto* e = std::get_if<ambient::kube::kubeconfig_error>(&parsed)) {
    std::fprintf(stderr, "%s\n", e->message.c_str());
    return 1;
  }
  auto settings
      = ambient::kube::to_connection_settings(std::get<ambient::kube::rest_config>(parsed));
  caf::actor_system_config cfg;
  ambient::messages::register_types(cfg);
  caf::actor_system sys{cfg};
  auto transport = std::make_shared<ambient::kube::transport>();
  auto cache = std::make_shared<cache_state>();
  auto parent = sys.spawn(cache_actor, cache);
  malloc_trim(0);
  long rss_before = ambient::bench::own_rss_kib();
  ambient::actors::informer_config ic;
  ic.kind = ambient::kube::resource_kind::pods;
  ic.cluster_id = "bench";
  ic.transport = transport;
  ic.client
      = transport->add_client(std::get<ambient::kube::connection_settings>(settings), {1000, 1000});
  ic.parent = parent;
  ic.limits.max_object_bytes = 1u << 20;
  auto t0 = clock_type::now();
  auto informer = sys.spawn(ambient::actors::informer_impl, ic);
  size_t n = 0;
  for (;;) {
    std::this_thread::sleep_for(std::chrono::milliseconds{20});
    std::lock_guard g{cache->m};
    if (cache->synced) {
      n = cache->pods.size();
      break;
    }
  }
  double secs = std::chrono::duration<double>(clock_type::now() - t0).count();
  std::this_thread::sleep_for(std::chrono::milliseconds{500}); // let transient buffers go
  long rss_peak = ambient::bench::own_rss_kib();
  malloc_trim(0); // return freed list buffers to the OS: what remains is what the cache holds
  long rss_after = ambient::bench::own_rss_kib();
  std::printf("| pods listed and cached | %zu |\n", n);
  std::printf("| time from start to synced (s) | %.2f |\n", secs);
  std::printf("| RSS growth before / after malloc_trim (MB) | %.1f / %.1f |\n",
              static_cast<double>(rss_peak - rss_before) / 1024,
              static_cast<double>(rss_after - rss_before) / 1024);
  std::printf("| bytes held per cached pod (RSS growth / pods) | %.0f |\n",
              static_cast<double>(rss_after - rss_before) * 1024 / static_cast<double>(n));
  caf::anon_send_exit(informer, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(parent, caf::exit_reason::user_shutdown);
  return 0;
}

} // namespace

int main(int argc, char** argv) {
  size_t events = 100'000;
  std::string kubeconfig;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string f = argv[i];
    if (f == "--events")
      events = std::stoul(argv[i + 1]);
    else if (f == "--kubeconfig")
      kubeconfig = argv[i + 1];
    else {
      std::fprintf(stderr, "unknown flag %s\n", f.c_str());
      return 2;
    }
  }
  std::printf("| figure | value |\n|---|---|\n");
  decode_figures(events);
  return kubeconfig.empty() ? 0 : list_and_cache(kubeconfig);
}
