#include "bench/xds/delta_fleet.hpp"
#include "bench/xds/fleet_report.hpp"

#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "envoy/service/discovery/v3/ads.grpc.pb.h"
#include "istio/workload/workload.pb.h"

namespace ambient::bench {

namespace {

using envoy::service::discovery::v3::AggregatedDiscoveryService;
using request = envoy::service::discovery::v3::DeltaDiscoveryRequest;
using response = envoy::service::discovery::v3::DeltaDiscoveryResponse;

/// One wildcard delta stream that ACKs every response.
class stream final : public grpc::ClientBidiReactor<request, response> {
public:
  /// `token` and `cluster_id`, when set, go as ztunnel sends them (authorization, clusterid).
  /// `start`, when not 0, is the first attempt's start (a stream opened again).
  stream(AggregatedDiscoveryService::Stub& stub, fleet_state& f, int index,
         const std::string& token, const std::string& cluster_id, int64_t start = 0)
    : fleet_(f), index_(index) {
    if (!token.empty())
      ctx_.AddMetadata("authorization", "Bearer " + token);
    if (!cluster_id.empty())
      ctx_.AddMetadata("clusterid", cluster_id);
    stub.async()->DeltaAggregatedResources(&ctx_, this);
    first_.set_type_url("type.googleapis.com/istio.workload.Address");
    first_.add_resource_names_subscribe("*");
    start_ = start != 0 ? start : now_ns();
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

  void OnDone(const grpc::Status&) override {
    if (!got_first_)
      fleet_.on_failure(index_, start_);
  }

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
  int index_;
  grpc::ClientContext ctx_;
  request first_, ack_;
  response resp_;
  int64_t start_ = 0;
  bool got_first_ = false;
  std::mutex m_;
  bool writing_ = false;
  std::string pending_nonce_;
};

/// The whole of file `path`; throws if it cannot be read.
std::string read_file(const std::string& path) {
  std::ifstream in{path};
  if (!in)
    throw std::runtime_error("cannot read " + path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

/// Lines of `path` (empty path: none).
std::vector<std::string> read_lines(const std::string& path) {
  std::vector<std::string> out;
  if (path.empty())
    return out;
  std::istringstream in{read_file(path)};
  for (std::string l; std::getline(in, l);)
    out.push_back(l);
  return out;
}

} // namespace

int run_delta_fleet(int argc, char** argv) {
  int port = 0, streams = 1, channels = 8, give_up_s = 3600;
  bool full = false, stamps = false;
  std::string tls_ca, tokens_file, cluster_id;
  for (int i = 0; i + 1 < argc; i += 2) {
    std::string k = argv[i];
    std::string value = argv[i + 1];
    if (k == "--tls-ca") {
      tls_ca = value;
      continue;
    }
    if (k == "--tokens-file") {
      tokens_file = value;
      continue;
    }
    if (k == "--cluster-id") {
      cluster_id = value;
      continue;
    }
    int v = std::stoi(value);
    if (k == "--port")
      port = v;
    else if (k == "--streams")
      streams = v;
    else if (k == "--channels")
      channels = v;
    else if (k == "--full")
      full = v != 0;
    else if (k == "--give-up")
      give_up_s = v;
    else if (k == "--stamps")
      stamps = v != 0;
  }
  fleet_state f;
  f.streams = streams;
  f.full = full;
  f.stamps = stamps;
  auto tokens = read_lines(tokens_file);
  if (!tokens_file.empty() && static_cast<int>(tokens.size()) < streams)
    throw std::runtime_error(tokens_file + " holds fewer tokens than streams");
  auto creds = grpc::InsecureChannelCredentials();
  if (!tls_ca.empty()) {
    grpc::SslCredentialsOptions ssl;
    ssl.pem_root_certs = read_file(tls_ca);
    creds = grpc::SslCredentials(ssl);
  }
  std::vector<std::unique_ptr<AggregatedDiscoveryService::Stub>> stubs;
  for (int c = 0; c < channels; ++c) {
    grpc::ChannelArguments args;
    args.SetInt("ambient.bench.connection", c); // a distinct connection per channel
    args.SetMaxReceiveMessageSize(-1);
    if (!tls_ca.empty())
      args.SetSslTargetNameOverride("localhost");
    stubs.push_back(AggregatedDiscoveryService::NewStub(
        grpc::CreateCustomChannel("127.0.0.1:" + std::to_string(port), creds, args)));
  }
  auto open = [&](int i, int64_t start) {
    return std::make_unique<stream>(*stubs[static_cast<size_t>(i % channels)], f, i,
                                    tokens.empty() ? std::string{} : tokens[static_cast<size_t>(i)],
                                    cluster_id, start);
  };
  std::vector<std::unique_ptr<stream>> all;
  for (int i = 0; i < streams; ++i)
    all.push_back(open(i, 0));
  if (full) {
    auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds{give_up_s};
    std::unique_lock lk{f.m};
    while (static_cast<int>(f.full_lines.size()) < streams) {
      bool woke = f.cv.wait_until(lk, give_up, [&] {
        return static_cast<int>(f.full_lines.size()) == streams || !f.retries.empty();
      });
      if (!woke) { // some streams never got a response: report the others
        for (const auto& l : f.full_lines)
          f.say(l);
        f.say("retries " + std::to_string(f.failures));
        f.say("unfinished " + std::to_string(streams - static_cast<int>(f.full_lines.size())));
        f.say("end");
        break;
      }
      auto again = std::move(f.retries);
      f.retries.clear();
      if (again.empty())
        continue;
      lk.unlock();
      std::this_thread::sleep_for(std::chrono::milliseconds{100}); // a reconnect's backoff
      for (auto [i, start] : again)
        all.push_back(open(i, start));
      lk.lock();
    }
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
