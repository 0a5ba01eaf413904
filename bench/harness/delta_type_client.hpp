#pragma once

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

namespace ambient::bench {

/// The xDS type of ztunnel's workloads and services.
inline constexpr const char* address_type_url = "type.googleapis.com/istio.workload.Address";
/// The xDS type of ztunnel's authorization policies.
inline constexpr const char* authorization_type_url
    = "type.googleapis.com/istio.security.Authorization";

/// One wildcard delta ADS stream for one type, as ztunnel opens it: it applies every response to
/// the set it holds (name → serialized resource) and ACKs it. A stream that ends is reopened (and
/// counted): a new stream starts from an empty set and gets the full state again.
class delta_type_client {
public:
  delta_type_client(int port, std::string type_url);
  delta_type_client(const delta_type_client&) = delete;
  delta_type_client& operator=(const delta_type_client&) = delete;
  ~delta_type_client();

  std::map<std::string, std::string> held() const;
  int streams() const;
  uint64_t responses() const;
  std::string last_error() const;

private:
  void run();

  int port_;
  std::string type_url_;
  std::atomic<bool> stopping_{false};
  mutable std::mutex mutex_;
  std::shared_ptr<grpc::ClientContext> context_;
  std::map<std::string, std::string> held_;
  int streams_ = 0;
  uint64_t responses_ = 0;
  std::string last_error_;
  std::thread thread_; // last: starts once everything above is built
};

} // namespace ambient::bench
