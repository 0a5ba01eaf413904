#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include <caf/actor.hpp>

#include "kube/transport.hpp"

namespace ambient::actors {

/// The one Kubernetes API request an actor keeps open at a time: an informer's LIST or WATCH,
/// the leader elector's Lease read or write, the status writer's ConfigMap write. Every request
/// gets a ticket that travels with its answers (messages::api_response when it ends,
/// messages::watch_data for each chunk of a stream), so answers of a request the actor abandoned
/// are told apart and dropped. Starting a request abandons the open one; destroying the slot
/// cancels it.
class request_slot {
public:
  request_slot() = default;
  request_slot(std::shared_ptr<kube::transport> transport, kube::transport::client_id client);
  ~request_slot();
  request_slot(const request_slot&) = delete;
  request_slot& operator=(const request_slot&) = delete;
  request_slot(request_slot&&) = delete;
  request_slot& operator=(request_slot&&) = delete;

  /// Starts `method path` with `body`; its end (and, when `stream`, each chunk) is sent to
  /// `owner` from the transport's thread.
  void start(const caf::actor& owner, std::string method, std::string path, std::string body = {},
             bool stream = false);

  /// Abandons the open request (if any): it is cancelled and its answers are dropped.
  void cancel();

  /// True when `ticket` names the open request: its chunks are current.
  bool current(uint64_t ticket) const {
    return open_ != 0 && ticket == ticket_;
  }

  /// The end of the request `ticket` arrived: true, and the slot is free again, when it is the
  /// open request's; false for an abandoned one.
  bool take(uint64_t ticket);

  /// A request is open.
  bool busy() const {
    return open_ != 0;
  }

private:
  std::shared_ptr<kube::transport> transport_;
  kube::transport::client_id client_ = 0;
  kube::transport::request_id open_ = 0; ///< 0: nothing open
  uint64_t ticket_ = 0;
};

} // namespace ambient::actors
