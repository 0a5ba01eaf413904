#include "bench/harness/delta_type_client.hpp"

#include <chrono>

#include "envoy/service/discovery/v3/ads.grpc.pb.h"

namespace ambient::bench {

namespace {

using ads_service = envoy::service::discovery::v3::AggregatedDiscoveryService;
using delta_request = envoy::service::discovery::v3::DeltaDiscoveryRequest;
using delta_response = envoy::service::discovery::v3::DeltaDiscoveryResponse;

} // namespace

delta_type_client::delta_type_client(int port, std::string type_url)
  : port_(port), type_url_(std::move(type_url)), thread_([this] { run(); }) {}

delta_type_client::~delta_type_client() {
  stopping_ = true;
  {
    std::lock_guard guard{mutex_};
    if (context_)
      context_->TryCancel();
  }
  thread_.join();
}

std::map<std::string, std::string> delta_type_client::held() const {
  std::lock_guard guard{mutex_};
  return held_;
}

int delta_type_client::streams() const {
  std::lock_guard guard{mutex_};
  return streams_;
}

uint64_t delta_type_client::responses() const {
  std::lock_guard guard{mutex_};
  return responses_;
}

std::string delta_type_client::last_error() const {
  std::lock_guard guard{mutex_};
  return last_error_;
}

void delta_type_client::run() {
  // A first response holds the whole view: tens of thousands of workloads exceed gRPC's 4 MiB
  // default, as for ztunnel (which sets no such limit).
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(-1);
  auto channel = grpc::CreateCustomChannel("127.0.0.1:" + std::to_string(port_),
                                           grpc::InsecureChannelCredentials(), args);
  auto stub = ads_service::NewStub(channel);
  while (!stopping_) {
    auto context = std::make_shared<grpc::ClientContext>();
    {
      std::lock_guard guard{mutex_};
      if (stopping_)
        break;
      context_ = context;
      held_.clear();
      ++streams_;
    }
    auto stream = stub->DeltaAggregatedResources(context.get());
    delta_request first;
    first.set_type_url(type_url_);
    first.add_resource_names_subscribe("*");
    if (stream->Write(first)) {
      delta_response r;
      while (stream->Read(&r)) {
        {
          std::lock_guard guard{mutex_};
          for (const auto& name : r.removed_resources())
            held_.erase(name);
          for (const auto& res : r.resources())
            held_[res.name()] = res.resource().value();
          ++responses_;
        }
        delta_request ack;
        ack.set_type_url(type_url_);
        ack.set_response_nonce(r.nonce());
        if (!stream->Write(ack))
          break;
      }
    }
    auto status = stream->Finish();
    if (!stopping_) {
      {
        std::lock_guard guard{mutex_};
        last_error_ = std::to_string(status.error_code()) + " " + status.error_message();
      }
      std::this_thread::sleep_for(std::chrono::seconds{1});
    }
  }
}

} // namespace ambient::bench
