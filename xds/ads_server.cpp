#include "xds/ads_server.hpp"

#include <type_traits>

#include "xds/tsan_handoff.hpp"

namespace ambient::xds {

namespace {

/// Stream IDs, unique in the process (several services may feed one owner).
std::atomic<uint64_t> next_stream_id{1};

/// One ADS stream of either protocol (gRPC owns it and deletes it in OnDone).
template <class Request, class Response>
class ads_stream final : public grpc::ServerBidiReactor<Request, Response>, public stream_writer {
public:
  static constexpr auto protocol = std::is_same_v<Request, delta_request_proto>
                                       ? stream_protocol::delta
                                       : stream_protocol::sotw;

  /// A stream that serves: announced to the owner, reading.
  ads_stream(stream_event_sink sink, std::string peer)
    : id_(next_stream_id.fetch_add(1)), sink_(std::move(sink)),
      port_(std::make_shared<stream_port>()) {
    port_->attach(this);
    sink_(stream_opened{id_, port_, std::move(peer), protocol});
    handoff_release(&request_);
    this->StartRead(&request_);
    handoff_release(this); // gRPC holds the stream until this returns: `this` is alive here
  }

  /// A refused stream: finished at once with `status`, never announced.
  explicit ads_stream(const grpc::Status& status) {
    this->Finish(status);
    handoff_release(this);
  }

  /// Called with the port's mutex held; the owner guarantees one write at a time.
  void write(std::shared_ptr<const google::protobuf::Message> r) override {
    auto typed = std::static_pointer_cast<const Response>(std::move(r));
    const Response* msg = typed.get();
    {
      // Its own mutex: OnWriteDone runs on a gRPC thread (possibly inline) and must not need the
      // port's, which the owner holds here.
      std::lock_guard guard{write_mutex_};
      in_flight_ = std::move(typed);
    }
    handoff_release(&in_flight_);
    this->StartWrite(msg);
    // OnDone cannot have run: it follows Finish, which follows detaching the port this write
    // holds.
    handoff_release(this);
  }

  void OnReadDone(bool ok) override {
    handoff_acquire(&request_);
    if (!ok) { // the client closed its side, or the stream broke
      // Detached first: no write may start once Finish is called.
      port_->attach(nullptr);
      this->Finish(grpc::Status::OK);
      handoff_release(this); // OnDone waits for this reaction to return
      return;
    }
    if constexpr (protocol == stream_protocol::delta)
      sink_(stream_request{id_, to_delta_request(request_)});
    else
      sink_(sotw_stream_request{id_, to_sotw_request(request_)});
    request_.Clear();
    handoff_release(&request_);
    this->StartRead(&request_);
    handoff_release(this);
  }

  void OnWriteDone(bool ok) override {
    handoff_acquire(&in_flight_);
    {
      std::lock_guard guard{write_mutex_};
      in_flight_.reset();
    }
    if (ok)
      sink_(stream_written{id_});
    handoff_release(this);
  }

  void OnDone() override {
    // Every operation has completed by now: whatever any of them started is visible.
    handoff_acquire(this);
    handoff_acquire(&request_);
    handoff_acquire(&in_flight_);
    if (port_) {
      port_->attach(nullptr);
      sink_(stream_closed{id_});
    }
    delete this;
  }

private:
  uint64_t id_ = 0;
  stream_event_sink sink_;
  std::shared_ptr<stream_port> port_; ///< null for a refused stream
  Request request_;
  std::mutex write_mutex_;
  std::shared_ptr<const Response> in_flight_; ///< kept alive until written
};

using delta_stream = ads_stream<delta_request_proto, delta_response_proto>;
using sotw_stream = ads_stream<sotw_request_proto, sotw_response_proto>;

/// Copies what ACK/NACK handling reads, the same in both request protos: the nonce answered and
/// the error detail of a NACK.
template <class Proto, class Request>
void read_ack(const Proto& r, Request& out) {
  out.response_nonce = r.response_nonce();
  out.has_error = r.has_error_detail();
  if (out.has_error)
    out.error_message = r.error_detail().message();
}

} // namespace

ads_service::ads_service(stream_event_sink sink, peer_check check)
  : sink_(std::move(sink)), check_(std::move(check)) {
  // nop
}

std::string ads_service::refusal(grpc::CallbackServerContext* context) {
  if (!check_)
    return {};
  auto reason = check_(*context);
  if (!reason.empty())
    sink_(stream_refused{context->peer(), reason});
  return reason;
}

grpc::ServerBidiReactor<delta_request_proto, delta_response_proto>*
ads_service::DeltaAggregatedResources(grpc::CallbackServerContext* context) {
  if (auto reason = refusal(context); !reason.empty())
    return new delta_stream(grpc::Status{grpc::StatusCode::PERMISSION_DENIED, reason});
  return new delta_stream(sink_, context->peer());
}

grpc::ServerBidiReactor<sotw_request_proto, sotw_response_proto>*
ads_service::StreamAggregatedResources(grpc::CallbackServerContext* context) {
  if (auto reason = refusal(context); !reason.empty())
    return new sotw_stream(grpc::Status{grpc::StatusCode::PERMISSION_DENIED, reason});
  return new sotw_stream(sink_, context->peer());
}

delta_request to_delta_request(const delta_request_proto& r) {
  delta_request out;
  out.type_url = r.type_url();
  out.subscribe.assign(r.resource_names_subscribe().begin(), r.resource_names_subscribe().end());
  out.unsubscribe.assign(r.resource_names_unsubscribe().begin(),
                         r.resource_names_unsubscribe().end());
  for (const auto& [name, version] : r.initial_resource_versions())
    out.initial_resource_versions.emplace(name, version);
  read_ack(r, out);
  return out;
}

sotw_request to_sotw_request(const sotw_request_proto& r) {
  sotw_request out;
  out.type_url = r.type_url();
  out.version_info = r.version_info();
  out.resource_names.assign(r.resource_names().begin(), r.resource_names().end());
  read_ack(r, out);
  return out;
}

delta_response_proto to_proto(const delta_response& r, std::string_view type_url) {
  delta_response_proto out;
  out.set_type_url(std::string{type_url});
  out.set_nonce(r.nonce);
  out.set_system_version_info(r.system_version);
  for (const auto& e : r.resources) {
    auto* res = out.add_resources();
    res->set_name(e->name);
    res->set_version(e->version);
    for (const auto& a : e->aliases)
      res->add_aliases(a);
    res->mutable_resource()->set_type_url(std::string{type_url});
    res->mutable_resource()->set_value(e->bytes);
  }
  for (const auto& n : r.removed)
    out.add_removed_resources(n);
  return out;
}

sotw_response_proto to_proto(const sotw_response& r, std::string_view type_url) {
  sotw_response_proto out;
  out.set_type_url(std::string{type_url});
  out.set_version_info(r.version_info);
  out.set_nonce(r.nonce);
  for (const auto& e : r.resources) {
    auto* any = out.add_resources();
    any->set_type_url(std::string{type_url});
    any->set_value(e->bytes);
  }
  return out;
}

} // namespace ambient::xds
