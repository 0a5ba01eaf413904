#include "bench/xds/delta_fleet.hpp"

#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "envoy/service/discovery/v3/ads.grpc.pb.h"
#include "istio/workload/workload.pb.h"

namespace ambient::bench {

namespace {

using envoy::service::discovery::v3::AggregatedDiscoveryService;
using request = envoy::service::discovery::v3::DeltaDiscoveryRequest;
using response = envoy::service::discovery::v3::DeltaDiscoveryResponse;

int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

/// One stamped change seen by one stream: the stamp ("s<cluster>-<n>", as kube-sim's stamp
/// driver writes it into a pod's canonical revision) and when the stream decoded it.
struct stamp_arrival {
  std::string stamp;
  int64_t at;
};

/// The stamps among a response's Workloads; the first copy of each stamped resource is kept in
/// `samples` (its serialized Address), for the protobuf companion figure.
void collect_stamps(const response& r, int64_t at, std::vector<stamp_arrival>& out,
                    std::map<std::string, std::string>& samples) {
  istio::workload::Address a;
  for (const auto& res : r.resources()) {
    if (!res.resource().UnpackTo(&a) || !a.has_workload())
      continue;
    const auto& rev = a.workload().canonical_revision();
    if (rev.size() > 1 && rev[0] == 's' && rev[1] >= '0' && rev[1] <= '9') {
      out.push_back({rev, at});
      if (!samples.contains(rev))
        samples.emplace(rev, res.resource().value());
    }
  }
}

/// Nanoseconds protobuf takes to serialize every sampled Address once (parsed beforehand).
int64_t serialize_ns(const std::map<std::string, std::string>& samples) {
  std::vector<istio::workload::Address> parsed(samples.size());
  size_t i = 0;
  for (const auto& [stamp, bytes] : samples)
    parsed[i++].ParseFromString(bytes);
  std::string out;
  auto t0 = now_ns();
  for (const auto& a : parsed) {
    out.clear();
    a.SerializeToString(&out);
  }
  return now_ns() - t0;
}

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

  void say(const std::string& s) {
    std::fputs((s + "\n").c_str(), stdout);
    std::fflush(stdout);
  }

  void on_response(bool first, int64_t start, const response& r, int64_t at) {
    std::lock_guard g{m};
    if (full) {
      if (first) {
        full_lines.push_back(std::to_string(start) + " " + std::to_string(at) + " "
                             + std::to_string(r.ByteSizeLong()));
        if (static_cast<int>(full_lines.size()) == streams) {
          for (const auto& l : full_lines)
            say(l);
          say("end");
          cv.notify_all();
        }
      }
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

/// One wildcard delta stream that ACKs every response.
class stream final : public grpc::ClientBidiReactor<request, response> {
public:
  stream(AggregatedDiscoveryService::Stub& stub, fleet_state& f) : fleet_(f) {
    stub.async()->DeltaAggregatedResources(&ctx_, this);
    first_.set_type_url("type.googleapis.com/istio.workload.Address");
    first_.add_resource_names_subscribe("*");
    start_ = now_ns();
    writing_ = true;
    StartWrite(&first_);
    StartRead(&resp_);
    StartCall();
  }

  void OnReadDone(bool ok) override {
    if (!ok)
      return;
    auto at = now_ns();
    fleet_.on_response(!got_first_, start_, resp_, at);
    got_first_ = true;
    {
      std::lock_guard g{m_};
      pending_nonce_ = resp_.nonce();
      if (!writing_)
        write_ack_locked();
    }
    resp_.Clear();
    StartRead(&resp_);
  }

  void OnWriteDone(bool ok) override {
    if (!ok)
      return;
    std::lock_guard g{m_};
    writing_ = false;
    if (!pending_nonce_.empty())
      write_ack_locked();
  }

  void OnDone(const grpc::Status&) override {}

private:
  void write_ack_locked() {
    ack_.Clear();
    ack_.set_type_url("type.googleapis.com/istio.workload.Address");
    ack_.set_response_nonce(pending_nonce_);
    pending_nonce_.clear();
    writing_ = true;
    StartWrite(&ack_);
  }

  fleet_state& fleet_;
  grpc::ClientContext ctx_;
  request first_, ack_;
  response resp_;
  int64_t start_ = 0;
  bool got_first_ = false;
  std::mutex m_;
  bool writing_ = false;
  std::string pending_nonce_;
};

} // namespace

int run_delta_fleet(int argc, char** argv) {
  int port = 0, streams = 1, channels = 8;
  bool full = false, stamps = false;
  for (int i = 0; i + 1 < argc; i += 2) {
    std::string k = argv[i];
    int v = std::stoi(argv[i + 1]);
    if (k == "--port")
      port = v;
    else if (k == "--streams")
      streams = v;
    else if (k == "--channels")
      channels = v;
    else if (k == "--full")
      full = v != 0;
    else if (k == "--stamps")
      stamps = v != 0;
  }
  fleet_state f;
  f.streams = streams;
  f.full = full;
  f.stamps = stamps;
  std::vector<std::unique_ptr<AggregatedDiscoveryService::Stub>> stubs;
  for (int c = 0; c < channels; ++c) {
    grpc::ChannelArguments args;
    args.SetInt("ambient.bench.connection", c); // a distinct connection per channel
    args.SetMaxReceiveMessageSize(-1);
    stubs.push_back(AggregatedDiscoveryService::NewStub(grpc::CreateCustomChannel(
        "127.0.0.1:" + std::to_string(port), grpc::InsecureChannelCredentials(), args)));
  }
  std::vector<std::unique_ptr<stream>> all;
  for (int i = 0; i < streams; ++i)
    all.push_back(std::make_unique<stream>(*stubs[static_cast<size_t>(i % channels)], f));
  if (full) {
    std::unique_lock lk{f.m};
    f.cv.wait(lk, [&] { return static_cast<int>(f.full_lines.size()) == streams; });
  } else {
    std::string line;
    while (std::getline(std::cin, line) && line != "dump") {
    }
    std::lock_guard g{f.m};
    if (stamps) {
      for (const auto& a : f.stamp_arrivals)
        std::printf("%s %lld\n", a.stamp.c_str(), static_cast<long long>(a.at));
      std::printf("bytes %llu responses %llu\n", static_cast<unsigned long long>(f.bytes),
                  static_cast<unsigned long long>(f.responses));
      std::printf("serialize %lld resources %zu\n", static_cast<long long>(serialize_ns(f.samples)),
                  f.samples.size());
    }
    for (const auto& [v, at] : f.arrivals)
      std::printf("%llu %lld\n", static_cast<unsigned long long>(v), static_cast<long long>(at));
    std::printf("end\n");
  }
  std::fflush(stdout);
  _exit(0); // the streams are torn down with the process
}

} // namespace ambient::bench
