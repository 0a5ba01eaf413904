// The waypoint scenario (issue 26's end-to-end figure): one kube-sim cluster whose namespace app-1
// holds a tenth of its pods, a waypoint Gateway (waypoint-for all) there, and one delta ADS
// client. The namespace is labelled istio.io/use-waypoint and unlabelled again, round after
// round; each time is measured from the API write to the moment the client holds every app-1
// workload with (or without) the waypoint, with ambientd's CPU over the same span. The pure
// path's figure, next to a full recompute, is bench/mesh/waypoint_bench.

#include <algorithm>
#include <string>
#include <vector>

#include "bench/harness/chaos_waypoints.hpp"
#include "bench/harness/delta_type_client.hpp"
#include "bench/harness/report.hpp"
#include "bench/harness/scenario.hpp"
#include "istio/workload/workload.pb.h"

namespace ambient::bench {

namespace {

/// The app-1 workloads the client holds, and how many of them carry a waypoint.
std::pair<size_t, size_t> app1_workloads(const delta_type_client& client) {
  size_t total = 0, bound = 0;
  for (const auto& [name, bytes] : client.held()) {
    if (name.find("//Pod/app-1/") == std::string::npos)
      continue;
    istio::workload::Address a;
    if (!a.ParseFromString(bytes) || !a.has_workload())
      continue;
    ++total;
    bound += a.workload().has_waypoint() ? 1 : 0;
  }
  return {total, bound};
}

} // namespace

void waypoint(context& c, report& rep) {
  int pods = c.num("pods", 20000, 200), rounds = c.num("rounds", 10, 2);
  stack s{c, 1, std::max(1, pods / 20), pods};
  add_waypoint_objects(s.sim, cluster(0), 0, false);
  delta_type_client client{s.amb->xds_port(), address_type_url};
  size_t expected = 0;
  for (int k = 0; k < 600 && expected == 0; ++k) {
    sleep_s(0.1);
    if (client.held().size() >= static_cast<size_t>(pods))
      expected = app1_workloads(client).first;
  }
  if (expected == 0)
    throw std::runtime_error("the client never held the app-1 workloads (it holds "
                             + std::to_string(client.held().size()) + " resources, "
                             + client.last_error() + ")");
  log("app-1 holds " + std::to_string(expected) + " workloads");
  std::vector<double> on_ms, off_ms, on_cpu, off_cpu;
  for (int r = 0; r < rounds; ++r)
    for (bool on : {true, false}) {
      auto before = read_stats(s.amb->pid());
      auto t0 = now_ns();
      label_waypoint_namespace(s.sim, cluster(0), on);
      for (uint64_t seen = client.responses();; sleep_s(0.002)) {
        if (now_ns() - t0 > 120'000'000'000)
          throw std::runtime_error("the client never saw app-1 " + std::string{on ? "" : "un"}
                                   + "bound (" + std::to_string(expected) + " workloads)");
        if (client.responses() == seen)
          continue; // nothing new: no copy of the view to scan
        seen = client.responses();
        auto [total, bound] = app1_workloads(client);
        if (total == expected && bound == (on ? expected : 0))
          break;
      }
      double ms = static_cast<double>(now_ns() - t0) / 1e6;
      double cpu = (read_stats(s.amb->pid()).cpu_seconds - before.cpu_seconds) * 1000;
      (on ? on_ms : off_ms).push_back(ms);
      (on ? on_cpu : off_cpu).push_back(cpu);
      sleep_s(0.5); // let the pushes to the client settle before the next change
    }
  auto& t = rep.table({"change", "write → client holds all (ms), p50 / max",
                       "ambientd CPU over it (ms), p50 / max"});
  auto row = [&](const std::string& what, std::vector<double> ms, std::vector<double> cpu) {
    t.row({what, fmt0(percentile(ms, 0.5)) + " / " + fmt0(percentile(ms, 1.0)),
           fmt0(percentile(cpu, 0.5)) + " / " + fmt0(percentile(cpu, 1.0))});
  };
  row("label app-1 istio.io/use-waypoint (" + std::to_string(expected) + " pods bound)", on_ms,
      on_cpu);
  row("take the label off (all unbound)", off_ms, off_cpu);
  rep.value("waypoint", {{"pods_in_namespace", static_cast<double>(expected)},
                         {"label_ms_p50", percentile(on_ms, 0.5)},
                         {"label_ms_max", percentile(on_ms, 1.0)},
                         {"label_cpu_ms_p50", percentile(on_cpu, 0.5)},
                         {"unlabel_ms_p50", percentile(off_ms, 0.5)},
                         {"unlabel_cpu_ms_p50", percentile(off_cpu, 0.5)}});
  rep.note(std::to_string(pods)
           + " pods in 10 namespaces, one cluster, one delta client; the client's view is "
             "scanned after each response it receives (a copy and a parse of every held "
             "resource, on the same 2 cores), so a time includes up to one scan");
}

} // namespace ambient::bench
