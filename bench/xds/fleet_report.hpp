#pragma once

#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "bench/clock.hpp"
#include "envoy/service/discovery/v3/discovery.pb.h"

/// What delta_fleet's streams report to, and the figures it prints from it.
namespace ambient::bench {

/// One stamped change seen by one stream: the stamp ("s<cluster>-<n>", as kube-sim's stamp
/// driver writes it into a pod's canonical revision) and when the stream decoded it.
struct stamp_arrival {
  std::string stamp;
  int64_t at;
};

/// The stamps among a response's Workloads; the first copy of each stamped resource is kept in
/// `samples` (its serialized Address), for the protobuf companion figure.
void collect_stamps(const envoy::service::discovery::v3::DeltaDiscoveryResponse& r, int64_t at,
                    std::vector<stamp_arrival>& out, std::map<std::string, std::string>& samples);

/// Nanoseconds protobuf takes to serialize every sampled Address once (parsed beforehand).
int64_t serialize_ns(const std::map<std::string, std::string>& samples);

/// What every stream reports to.
struct fleet_state {
  int streams = 0;
  bool full = false;
  bool stamps = false;
  std::vector<stamp_arrival> stamp_arrivals;
  std::map<std::string, std::string> samples;
  uint64_t bytes = 0, responses = 0;
  std::mutex m;
  std::condition_variable cv;
  int first_responses = 0;
  std::map<uint64_t, int> per_version;
  std::vector<std::pair<uint64_t, int64_t>> arrivals;
  std::vector<std::string> full_lines;
  /// Full mode: streams that ended before their first response, to open again (index, start).
  std::vector<std::pair<int, int64_t>> retries;
  int failures = 0;

  void say(const std::string& s) {
    std::fputs((s + "\n").c_str(), stdout);
    std::fflush(stdout);
  }

  /// Full mode: one line per stream; once every stream has one, prints them and "end".
  void add_full_line(std::string line) {
    full_lines.push_back(std::move(line));
    if (static_cast<int>(full_lines.size()) == streams) {
      for (const auto& l : full_lines)
        say(l);
      if (failures > 0)
        say("retries " + std::to_string(failures));
      say("end");
      cv.notify_all();
    }
  }

  /// A stream ended before its first response (e.g. refused): in full mode it is opened again,
  /// as ztunnel reconnects, and its time still counts from its first start.
  void on_failure(int index, int64_t start) {
    std::lock_guard g{m};
    if (!full)
      return;
    ++failures;
    retries.emplace_back(index, start);
    cv.notify_all();
  }

  void on_response(bool first, int64_t start,
                   const envoy::service::discovery::v3::DeltaDiscoveryResponse& r, int64_t at) {
    std::lock_guard g{m};
    if (full) {
      if (first)
        add_full_line(std::to_string(start) + " " + std::to_string(at) + " "
                      + std::to_string(r.ByteSizeLong()));
      return;
    }
    bytes += r.ByteSizeLong();
    ++responses;
    if (stamps)
      collect_stamps(r, at, stamp_arrivals, samples);
    if (first) {
      if (++first_responses == streams)
        say("ready");
      return;
    }
    if (stamps)
      return;
    auto v = std::stoull(r.system_version_info());
    arrivals.emplace_back(v, at);
    if (++per_version[v] == streams)
      say("got " + std::to_string(v));
  }
};

} // namespace ambient::bench
