// The load harness: one scenario end to end, with kube-sim, ambientd and an xDS client fleet each
// in its own process; writes <out>/<scenario>.json and <out>/<scenario>.md. bench/run is the front
// end (it builds the release preset and picks the binaries). Usage:
//   ambient_bench SCENARIO --kube-sim BIN --ambientd BIN --out DIR [--smoke] [scenario flags]
//   ambient_bench fleet ...   (the client fleet itself: bench/xds/delta_fleet)
// Scenarios: churn, storm, recovery, mc-scale, krt-round, chaos (bench/README.md lists their
// flags).
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <simdjson.h>

#include "bench/harness/processes.hpp"
#include "bench/harness/report.hpp"
#include "bench/harness/scenario.hpp"
#include "bench/xds/delta_fleet.hpp"
#include "bench/xds/loopback.hpp"
#include "support/http_get.hpp"

using namespace ambient::bench;

namespace {

std::vector<int> int_list(const std::string& s) {
  std::vector<int> out;
  std::stringstream in{s};
  std::string item;
  while (std::getline(in, item, ','))
    out.push_back(std::stoi(item));
  return out;
}

/// Fleet arrivals after "dump": stamp → arrival ns (one per stream), and the totals.
struct arrivals {
  std::vector<std::pair<std::string, int64_t>> seen;
  double bytes = 0, responses = 0;
  double serialize_ns = 0, serialized = 0; ///< protobuf companion: time for `serialized` Addresses
};
arrivals dump(fleet_process& fleet) {
  arrivals a;
  fleet.say("dump");
  for (;;) {
    auto l = fleet.line();
    if (l == "end")
      break;
    std::istringstream in{l};
    std::string k;
    in >> k;
    if (k == "bytes") {
      std::string r;
      in >> a.bytes >> r >> a.responses;
    } else if (k == "serialize") {
      std::string r;
      in >> a.serialize_ns >> r >> a.serialized;
    } else {
      int64_t at = 0;
      in >> at;
      a.seen.emplace_back(k, at);
    }
  }
  return a;
}

/// simdjson's time to parse one pod of cluster-1 as the API server sends it (a LIST, parsed ten
/// times, divided by its pods): the floor under decoding one watch event.
double simdjson_seconds_per_pod(sim_process& sim) {
  std::string server;
  auto api = sim.api("cluster-1", &server);
  auto list = api.request("GET", server + "/api/v1/pods");
  simdjson::dom::parser parser;
  simdjson::padded_string body{list.body};
  size_t pods = 0;
  auto t0 = now_ns();
  for (int i = 0; i < 10; ++i) {
    simdjson::dom::element doc;
    if (parser.parse(body).get(doc) != simdjson::SUCCESS)
      return NAN;
    simdjson::dom::array items;
    if (doc["items"].get(items) == simdjson::SUCCESS)
      pods = items.size();
  }
  return pods == 0 ? NAN
                   : static_cast<double>(now_ns() - t0) / 1e9 / 10.0 / static_cast<double>(pods);
}

// ---- churn: latency and CPU per event rate -------------------------------------------------

void churn(context& c, report& rep) {
  int n = c.num("clusters", 5, 2), pods = c.num("pods", 10000, 50),
      clients = c.num("clients", 100, 3), channels = c.num("channels", 10, 2);
  double seconds = std::stod(c.get("seconds", "10", "2"));
  auto rates = int_list(c.get("rates", "100,500,1000,2000,5000", "20,50"));
  stack s{c, n, std::max(1, pods / 40), pods};
  fleet_process fleet{c.self, s.amb->xds_port(), clients, channels, false, true};
  if (fleet.line() != "ready")
    throw std::runtime_error("fleet not ready");
  log("fleet ready: " + std::to_string(clients) + " delta streams");
  sleep_s(1);
  struct step {
    int rate;
    proc_stats a0, a1, k0, k1, f0, f1;
    int64_t t0, t1;
  };
  std::vector<step> steps;
  for (int rate : rates) {
    step st{rate, read_stats(s.amb->pid()), {}, read_stats(s.sim.pid()),
            {},   read_stats(fleet.pid()),  {}, now_ns(),
            0};
    auto per = std::max(1, rate / n);
    for (int i = 0; i < n; ++i)
      s.sim.admin(cluster(i),
                  "stamp?rate=" + std::to_string(per) + "&tag=r" + std::to_string(rate));
    sleep_s(seconds);
    for (int i = 0; i < n; ++i)
      s.sim.admin(cluster(i), "stamp?rate=0");
    st.t1 = now_ns();
    st.a1 = read_stats(s.amb->pid());
    st.k1 = read_stats(s.sim.pid());
    st.f1 = read_stats(fleet.pid());
    steps.push_back(st);
    log("rate " + std::to_string(rate) + "/s done");
    sleep_s(2); // drain
  }
  auto got = dump(fleet);
  std::map<std::string, int64_t> stamp_at;
  std::map<std::string, int> stamp_rate;
  for (int rate : rates)
    for (int i = 0; i < n; ++i)
      for (auto& [k, v] : s.sim.stamps(cluster(i), i, "r" + std::to_string(rate))) {
        stamp_at[k] = v;
        stamp_rate[k] = rate;
      }
  std::map<int, std::vector<double>> lat;
  std::map<int, size_t> stamps_per_rate;
  for (auto& [k, r] : stamp_rate)
    ++stamps_per_rate[r];
  for (auto& [k, at] : got.seen)
    if (auto it = stamp_at.find(k); it != stamp_at.end())
      lat[stamp_rate[k]].push_back(static_cast<double>(at - it->second) / 1e6);
  auto& t
      = rep.table({"events/s (target)", "events made", "arrivals (of streams × events)", "p50 ms",
                   "p99 ms", "max ms", "ambientd cores", "kube-sim cores", "fleet cores"});
  std::string plot;
  for (auto& st : steps) {
    auto& v = lat[st.rate];
    double wall = static_cast<double>(st.t1 - st.t0) / 1e9;
    double cores = (st.a1.cpu_seconds - st.a0.cpu_seconds) / wall;
    double sim_cores = (st.k1.cpu_seconds - st.k0.cpu_seconds) / wall;
    double fleet_cores = (st.f1.cpu_seconds - st.f0.cpu_seconds) / wall;
    auto made = stamps_per_rate[st.rate];
    double p50 = percentile(v, 0.5), p99 = percentile(v, 0.99), mx = percentile(v, 1.0);
    t.row({std::to_string(st.rate), std::to_string(made),
           std::to_string(v.size()) + " of " + std::to_string(made * static_cast<size_t>(clients)),
           fmt2(p50), fmt2(p99), fmt2(mx), fmt2(cores), fmt2(sim_cores), fmt2(fleet_cores)});
    rep.value("rate_" + std::to_string(st.rate), {{"events", static_cast<double>(made)},
                                                  {"arrivals", static_cast<double>(v.size())},
                                                  {"p50_ms", p50},
                                                  {"p99_ms", p99},
                                                  {"max_ms", mx},
                                                  {"ambientd_cores", cores},
                                                  {"kube_sim_cores", sim_cores},
                                                  {"fleet_cores", fleet_cores}});
    plot += std::to_string(st.rate) + " " + fmt2(p50) + " " + fmt2(p99) + " " + fmt2(cores) + "\n";
    if (st.rate == 2000) {
      rep.target("churn at 2,000 events/s: p99 event → client", p99, "ms", 20, "≤");
      rep.target("churn at 2,000 events/s: ambientd CPU", cores, "cores", 0.5, "≤");
    }
  }
  auto fin = read_stats(s.amb->pid());
  rep.note("clusters × pods: " + std::to_string(n) + " × " + std::to_string(pods) + "; "
           + std::to_string(clients) + " delta streams over " + std::to_string(channels)
           + " connections; each rate for " + fmt2(seconds) + " s");
  rep.note("ambientd peak RSS " + fmt2(fin.peak_rss_mib) + " MiB; bytes pushed to the fleet "
           + fmt2(got.bytes / 1048576.0) + " MiB in " + fmt2(got.responses) + " responses");
  rep.note("an event whose pod changed again before the push is coalesced (the client sees only "
           "the newer stamp), so arrivals can be fewer than streams × events");
  // Limit companions, over the whole run (every rate): what the same work costs at its floor.
  double amb_cpu = 0;
  size_t events = 0;
  for (auto& st : steps) {
    amb_cpu += st.a1.cpu_seconds - st.a0.cpu_seconds;
    events += stamps_per_rate[st.rate];
  }
  double loop_s = loopback_seconds(static_cast<uint64_t>(got.bytes));
  double parse_s = simdjson_seconds_per_pod(s.sim) * static_cast<double>(events);
  double ser_s = got.serialized > 0
                     ? got.serialize_ns / 1e9 / got.serialized * static_cast<double>(events)
                     : NAN;
  auto& comp = rep.table({"limit companion (whole run, every rate)", "floor", "ambientd ÷ floor"});
  comp.row({"loopback: the bytes pushed to the fleet (" + fmt2(got.bytes / 1048576.0) + " MiB)",
            fmt2(loop_s * 1000) + " ms", "-"});
  comp.row({"simdjson: parse the " + std::to_string(events) + " pods' watch JSON once each",
            fmt2(parse_s * 1000) + " ms CPU", fmt0(amb_cpu / parse_s) + "× (ambientd CPU)"});
  comp.row({"protobuf: serialize the " + std::to_string(events) + " changed Addresses once each",
            fmt2(ser_s * 1000) + " ms CPU", fmt0(amb_cpu / ser_s) + "× (ambientd CPU)"});
  rep.value("companions", {{"loopback_ms", loop_s * 1000},
                           {"simdjson_ms", parse_s * 1000},
                           {"protobuf_ms", ser_s * 1000},
                           {"ambientd_cpu_ms", amb_cpu * 1000}});
  rep.plot(plot, "events per second", "milliseconds / cores",
           {"p50 event→client (ms)", "p99 event→client (ms)", "ambientd cores × 100"});
}

// ---- storm: every client reconnects at once ------------------------------------------------

void storm(context& c, report& rep) {
  int n = c.num("clusters", 4, 2), pods = c.num("pods", 10000, 100),
      clients = c.num("clients", 1000, 20), channels = c.num("channels", 16, 2);
  stack s{c, n, std::max(1, pods / 40), pods};
  auto before = read_stats(s.amb->pid());
  auto t0 = now_ns();
  fleet_process fleet{c.self, s.amb->xds_port(), clients, channels, true, false};
  std::vector<double> per_client;
  int64_t first_start = INT64_MAX, last_done = 0;
  double bytes = 0;
  for (;;) {
    auto l = fleet.line();
    if (l == "end")
      break;
    std::istringstream in{l};
    int64_t start = 0, done = 0;
    double b = 0;
    in >> start >> done >> b;
    first_start = std::min(first_start, start);
    last_done = std::max(last_done, done);
    per_client.push_back(static_cast<double>(done - start) / 1e6);
    bytes += b;
  }
  auto after = read_stats(s.amb->pid());
  double all_ms = static_cast<double>(last_done - first_start) / 1e6;
  double loop_ms = loopback_seconds(static_cast<uint64_t>(bytes)) * 1000;
  auto workloads = static_cast<double>(n) * pods;
  auto& t = rep.table({"figure", "value"});
  t.row({"workloads", fmt0(workloads)});
  t.row({"clients connecting at once", std::to_string(clients)});
  t.row({"every client holds the full set after (ms)", fmt0(all_ms)});
  t.row({"per client p50 / max (ms)",
         fmt0(percentile(per_client, 0.5)) + " / " + fmt0(percentile(per_client, 1.0))});
  t.row({"bytes pushed (MiB)", fmt2(bytes / 1048576.0)});
  t.row({"loopback byte limit, same bytes (ms)", fmt0(loop_ms)});
  t.row({"ambientd CPU during the storm (s)", fmt2(after.cpu_seconds - before.cpu_seconds)});
  t.row({"ambientd peak RSS (MiB)", fmt0(after.peak_rss_mib)});
  (void)t0;
  rep.value("storm", {{"workloads", workloads},
                      {"clients", static_cast<double>(clients)},
                      {"all_hold_ms", all_ms},
                      {"bytes", bytes},
                      {"loopback_ms", loop_ms},
                      {"ambientd_peak_rss_mib", after.peak_rss_mib}});
  rep.target("storm: time until all hold the full set ÷ loopback limit", all_ms / loop_ms, "×", 2,
             "≤");
}

// ---- recovery: an API server killed and restarted ------------------------------------------

void recovery(context& c, report& rep) {
  int n = c.num("clusters", 10, 3), pods = c.num("pods", 1000, 50),
      clients = c.num("clients", 10, 2), rounds = c.num("rounds", 3, 1);
  double down_s = std::stod(c.get("down", "5", "2"));
  stack s{c, n, std::max(1, pods / 40), pods};
  fleet_process fleet{c.self, s.amb->xds_port(), clients, 2, false, true};
  if (fleet.line() != "ready")
    throw std::runtime_error("fleet not ready");
  struct round {
    std::string id;
    int index;
    int64_t up_at, synced_at;
    double relist_ms;
  };
  std::vector<round> done;
  for (int r = 0; r < rounds; ++r) {
    int idx = 1 + r % (n - 1);
    auto id = cluster(idx);
    s.sim.admin(id, "down");
    auto seen_down = now_ns() + static_cast<int64_t>(30e9);
    while (now_ns() < seen_down && s.amb->cluster_states()[id] == "synced")
      sleep_s(0.02);
    // Changes made while the API server is down: they reach clients only after the relist.
    s.sim.admin(id, "stamp?rate=20&tag=rec" + std::to_string(r));
    sleep_s(0.5);
    s.sim.admin(id, "stamp?rate=0");
    sleep_s(std::max(0.0, down_s - 0.5));
    round rd{id, idx, now_ns(), 0, 0};
    s.sim.admin(id, "up");
    if (!s.amb->wait_synced({id}, 120))
      throw std::runtime_error(id + " did not sync after its API server came back");
    rd.synced_at = now_ns();
    std::string server;
    auto api = s.sim.api(id, &server);
    auto l0 = now_ns();
    auto list = api.request("GET", server + "/api/v1/pods");
    rd.relist_ms = static_cast<double>(now_ns() - l0) / 1e6;
    if (list.status != 200)
      throw std::runtime_error("LIST pods of " + id + ": " + std::to_string(list.status));
    done.push_back(rd);
    log("round " + std::to_string(r) + ": " + id + " synced");
    sleep_s(2);
  }
  auto got = dump(fleet);
  auto& t
      = rep.table({"round", "cluster", "up → synced (ms)", "up → last change at every client (ms)",
                   "LIST pods (ms)", "bound 1 s + LIST (ms)"});
  std::vector<double> synced_ms, delta_ms, excess;
  for (size_t r = 0; r < done.size(); ++r) {
    auto& rd = done[r];
    auto stamps = s.sim.stamps(rd.id, rd.index, "rec" + std::to_string(r));
    // The last stamp of the round: every stream must have it.
    std::string last;
    int64_t last_at = 0;
    for (auto& [k, at] : stamps)
      if (at >= last_at) {
        last_at = at;
        last = k;
      }
    int64_t latest = 0;
    int streams_with = 0;
    for (auto& [k, at] : got.seen)
      if (k == last) {
        latest = std::max(latest, at);
        ++streams_with;
      }
    double sync = static_cast<double>(rd.synced_at - rd.up_at) / 1e6;
    double delta = streams_with == clients ? static_cast<double>(latest - rd.up_at) / 1e6 : NAN;
    synced_ms.push_back(sync);
    delta_ms.push_back(delta);
    excess.push_back(delta - rd.relist_ms);
    t.row({std::to_string(r + 1), rd.id, fmt0(sync),
           std::isnan(delta) ? "missing at " + std::to_string(clients - streams_with) + " streams"
                             : fmt0(delta),
           fmt2(rd.relist_ms), fmt0(1000 + rd.relist_ms)});
  }
  auto med_delta = percentile(delta_ms, 0.5);
  auto med_excess = percentile(excess, 0.5);
  rep.value("recovery", {{"synced_ms_p50", percentile(synced_ms, 0.5)},
                         {"delta_ms_p50", med_delta},
                         {"delta_minus_relist_ms_p50", med_excess}});
  rep.target("recovery: up → delta at clients, minus the relist time (median)", med_excess, "ms",
             1000, "≤");
  rep.note(std::to_string(n) + " clusters × " + std::to_string(pods) + " pods; API server down "
           + fmt2(down_s) + " s per round, 10 pods relabelled while it is down");
}

// ---- mc-scale: remote clusters added one at a time -----------------------------------------

void mc_scale(context& c, report& rep) {
  int remotes = c.num("remotes", 10, 2), services = c.num("services", 300, 5),
      pods = c.num("pods", 4000, 40), clients = c.num("clients", 2, 1);
  double steady = std::stod(c.get("steady", "10", "1"));
  stack s{c, remotes + 1, services, 0, false};
  for (int i = 1; i <= remotes; ++i)
    s.sim.admin(cluster(i), "seed?namespaces=10&nodes=20&services=" + std::to_string(services)
                                + "&pods=" + std::to_string(pods));
  if (!s.amb->wait_synced({"cluster-1"}, 60))
    throw std::runtime_error("config cluster did not sync");
  fleet_process fleet{c.self, s.amb->xds_port(), clients, 1, false, false};
  if (fleet.line() != "ready")
    throw std::runtime_error("fleet not ready");
  auto measure = [&] {
    sleep_s(std::min(2.0, steady));
    auto a = read_stats(s.amb->pid());
    sleep_s(steady);
    auto b = read_stats(s.amb->pid());
    return std::pair{b, (b.cpu_seconds - a.cpu_seconds) / steady * 100.0};
  };
  auto [base, base_cpu] = measure();
  auto& t = rep.table({"remote clusters", "add → synced (ms)", "ambientd RSS (MiB)",
                       "RSS added (MiB)", "steady CPU (% of a core)"});
  t.row({"0", "-", fmt2(base.rss_mib), "-", fmt2(base_cpu)});
  std::vector<std::string> ids{"cluster-1"};
  double prev = base.rss_mib, last_cpu = base_cpu, last_rss = base.rss_mib;
  for (int i = 1; i <= remotes; ++i) {
    ids.push_back(cluster(i));
    auto t0 = now_ns();
    s.sim.put_remote_secret(cluster(i));
    if (!s.amb->wait_synced(ids, 300))
      throw std::runtime_error(cluster(i) + " did not sync");
    auto synced = static_cast<double>(now_ns() - t0) / 1e6;
    auto [st, cpu] = measure();
    t.row({std::to_string(i), fmt0(synced), fmt2(st.rss_mib), fmt2(st.rss_mib - prev), fmt2(cpu)});
    prev = st.rss_mib;
    last_cpu = cpu;
    last_rss = st.rss_mib;
  }
  double per_mb = (last_rss - base.rss_mib) / remotes;
  double per_cpu = std::max(0.0, last_cpu - base_cpu) / remotes;
  rep.value("mc_scale", {{"rss_per_remote_mib", per_mb},
                         {"steady_cpu_percent_per_remote", per_cpu},
                         {"pods_per_remote", static_cast<double>(pods)}});
  rep.target("mc-scale: memory per remote cluster", per_mb, "MiB", 9, "≤");
  rep.target("mc-scale: steady CPU per remote cluster", per_cpu, "% of a core", 0.05, "≤");
  rep.note(std::to_string(remotes) + " remote clusters × (" + std::to_string(services)
           + " services, " + std::to_string(pods) + " pods), " + std::to_string(clients)
           + " delta clients connected; steady window " + fmt2(steady) + " s after each add");
  rep.note("istio.io's figure for istiod: ~1 % of a core and ~180 MB per remote cluster");
}

// ---- krt-round: the mesh index's round, as istio's krt benchmark -------------------------

void krt_round(context& c, report& rep) {
  auto bin = c.get("mesh-bench", "", "");
  auto rounds = c.get("rounds", "200", "5");
  auto r = ambient::test::run_command(bin + " --pods 1000 --rounds " + rounds + " --events 10");
  if (r.exit_code != 0)
    throw std::runtime_error("mesh_index_bench failed: " + r.output);
  double p50 = NAN, p99 = NAN;
  std::istringstream in{r.output};
  std::string line;
  while (std::getline(in, line))
    if (line.find("krt-equivalent round") != std::string::npos) {
      auto bar = line.rfind('|', line.size() - 2);
      std::sscanf(line.c_str() + bar + 1, " %lf / %lf", &p50, &p99);
    }
  if (std::isnan(p50))
    throw std::runtime_error("no round figure in mesh_index_bench's output:\n" + r.output);
  auto& t = rep.table({"figure", "value"});
  t.row({"rounds", rounds});
  t.row({"round p50 / p99 (ms)", fmt2(p50) + " / " + fmt2(p99)});
  t.row({"istio's krt figure (ms)", "13.4"});
  rep.value("krt_round", {{"p50_ms", p50}, {"p99_ms", p99}});
  rep.target("krt-round: one round (1,000 pods, 50 services, every IP changed), p50", p50, "ms", 2,
             "≤");
}

} // namespace

int main(int argc, char** argv) {
  if (argc >= 2 && std::string{argv[1]} == "fleet")
    return run_delta_fleet(argc - 2, argv + 2);
  if (argc < 2) {
    std::fprintf(
        stderr,
        "usage: ambient_bench churn|storm|recovery|mc-scale|krt-round|chaos|waypoint --kube-sim "
        "BIN --ambientd BIN --out DIR [--smoke] [flags]\n");
    return 2;
  }
  context c;
  c.scenario = argv[1];
  c.self = std::filesystem::canonical("/proc/self/exe").string();
  for (int i = 2; i < argc; ++i) {
    std::string k = argv[i];
    if (k == "--smoke") {
      c.smoke = true;
      continue;
    }
    if (k.rfind("--", 0) != 0 || i + 1 >= argc) {
      std::fprintf(stderr, "ambient_bench: bad argument %s\n", k.c_str());
      return 2;
    }
    c.f[k.substr(2)] = argv[++i];
  }
  c.kube_sim = c.get("kube-sim", "", "");
  c.ambientd = c.get("ambientd", "", "");
  c.out = c.get("out", "bench/results", "bench/results");
  c.work = c.get("work", "/tmp/ambient-bench-" + c.scenario, "/tmp/ambient-bench-" + c.scenario);
  std::map<std::string, std::function<void(context&, report&)>> scenarios{
      {"churn", churn},         {"storm", storm}, {"recovery", recovery}, {"mc-scale", mc_scale},
      {"krt-round", krt_round}, {"chaos", chaos}, {"waypoint", waypoint}};
  auto it = scenarios.find(c.scenario);
  if (it == scenarios.end()) {
    std::fprintf(stderr, "ambient_bench: unknown scenario %s\n", c.scenario.c_str());
    return 2;
  }
  std::filesystem::create_directories(c.work);
  std::filesystem::create_directories(c.out);
  // --label L writes <scenario>-L.{json,md}: a second run at other sizes keeps the first's files.
  auto label = c.get("label", "", "");
  report rep{c.scenario + (label.empty() ? "" : "-" + label), c.smoke};
  try {
    it->second(c, rep);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "ambient_bench %s: %s\n", c.scenario.c_str(), e.what());
    return 1;
  }
  rep.write(c.out);
  return 0;
}
